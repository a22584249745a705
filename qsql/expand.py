"""A view's query as Flink's SHOW CREATE VIEW prints it: Calcite's expanded SQL, with every
column qualified by its table's alias, every table fully qualified with ``AS``, ``*``
expanded, and one clause per line.

Only the common shapes are expanded (SELECT lists of columns, aggregates and plain operators
over tables, views and joins); for anything else ``expand_query`` returns None and SHOW CREATE
VIEW prints the query as written. Expansion happens at CREATE VIEW time, as in Flink, so the
text keeps describing the tables the view was made from.
"""

from __future__ import annotations

from . import ast
from .catalog import Catalog, object_name

PREFIX = "`default_catalog`.`default_database`"


class _Unsupported(Exception):
    """A construct this expander does not print the way Calcite does."""


def quote(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def expand_query(query: ast.Query, catalog: Catalog) -> str | None:
    try:
        return _Expander(catalog).query(query)
    except _Unsupported:
        return None
    except Exception:  # noqa: BLE001 - expansion is cosmetic; the view itself was already planned
        return None


# Calcite's operator precedence, for parentheses.
_PRECEDENCE = {"OR": 1, "AND": 2, "=": 4, "<>": 4, "<": 4, ">": 4, "<=": 4, ">=": 4,
               "+": 5, "-": 5, "||": 5, "*": 6, "/": 6, "%": 6}


class _Expander:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        # (alias, [column names]) of the FROM clause being printed
        self.tables: list[tuple[str, list[str]]] = []

    def query(self, query: ast.Query) -> str:
        if not isinstance(query, ast.Select):
            raise _Unsupported
        lines: list[str] = []
        if query.from_ is None:
            raise _Unsupported
        from_text = self.from_item(query.from_, top=True)
        items = []
        for item in query.items:
            if isinstance(item, ast.SelectStar):
                for alias, columns in self.tables:
                    if item.qualifier is None or item.qualifier.name == alias:
                        items.extend(f"{quote(alias)}.{quote(c)}" for c in columns)
                continue
            assert isinstance(item, ast.SelectExpr)
            text = self.expr(item.expr)
            if item.alias is not None:
                text += f" AS {quote(item.alias.name)}"
            items.append(text)
        lines.append(("SELECT DISTINCT " if query.distinct else "SELECT ") + ", ".join(items))
        lines.append("FROM " + from_text)
        if query.where is not None:
            lines.append("WHERE " + self.expr(query.where))
        if query.group_by:
            lines.append("GROUP BY " + ", ".join(self.expr(e) for e in query.group_by))
        if query.having is not None:
            lines.append("HAVING " + self.expr(query.having))
        if query.order_by:
            aliases = {i.alias.name for i in query.items if isinstance(i, ast.SelectExpr) and i.alias}
            order = []
            for o in query.order_by:
                if isinstance(o.expr, ast.ColumnRef) and len(o.expr.parts) == 1 and o.expr.name in aliases:
                    text = quote(o.expr.name)
                else:
                    text = self.expr(o.expr)
                if o.descending:
                    text += " DESC"
                if o.nulls_first is not None:
                    raise _Unsupported
                order.append(text)
            lines.append("ORDER BY " + ", ".join(order))
        if query.offset is not None:
            lines.append(f"OFFSET {query.offset} ROWS")
        if query.limit is not None:
            lines.append(f"FETCH NEXT {query.limit} ROWS ONLY")
        return "\n".join(lines) + "\n"

    def from_item(self, item: ast.FromItem, top: bool = False) -> str:
        if isinstance(item, ast.TableRef):
            if item.columns is not None:
                raise _Unsupported
            entry = self.catalog.get_relation(item.name)
            alias = item.alias.name if item.alias else object_name(item.name)
            self.tables.append((alias, [c.name for c in entry.columns]))
            return f"{PREFIX}.{quote(entry.name)} AS {quote(alias)}"
        if isinstance(item, ast.Join):
            left = self.from_item(item.left)
            right = self.from_item(item.right)
            if item.using is not None:
                raise _Unsupported
            if item.condition is None:
                raise _Unsupported  # CROSS JOIN and comma joins print differently
            keyword = {"inner": "INNER JOIN", "left": "LEFT JOIN", "right": "RIGHT JOIN", "full": "FULL JOIN"}[item.kind]
            return f"{left}\n{keyword} {right} ON {self.expr(item.condition)}"
        raise _Unsupported

    def column(self, ref: ast.ColumnRef) -> str:
        parts = [p.name for p in ref.parts]
        if len(parts) == 2:
            return f"{quote(parts[0])}.{quote(parts[1])}"
        if len(parts) != 1:
            raise _Unsupported
        owners = [alias for alias, columns in self.tables if parts[0] in columns]
        if len(owners) != 1:
            raise _Unsupported
        return f"{quote(owners[0])}.{quote(parts[0])}"

    def expr(self, expr: ast.Expr, parent: int = 0) -> str:
        if isinstance(expr, ast.ColumnRef):
            return self.column(expr)
        if isinstance(expr, ast.Literal):
            if isinstance(expr.value, bool):
                return "TRUE" if expr.value else "FALSE"
            if expr.value is None:
                return "NULL"
            if isinstance(expr.value, str):
                return "'" + expr.value.replace("'", "''") + "'"
            if expr.dtype.is_numeric:
                return expr.text
            raise _Unsupported
        if isinstance(expr, ast.BinaryOp):
            precedence = _PRECEDENCE.get(expr.op)
            if precedence is None:
                raise _Unsupported
            # Calcite keeps a left-deep chain of one operator unparenthesized.
            left = self.expr(expr.left, precedence - (1 if expr.left.__class__ is ast.BinaryOp
                                                       and getattr(expr.left, "op", None) == expr.op else 0))
            right = self.expr(expr.right, precedence + 1 if precedence >= 4 else precedence)
            text = f"{left} {expr.op} {right}"
            return f"({text})" if precedence < parent else text
        if isinstance(expr, ast.UnaryOp):
            if expr.op == "NOT":
                text = "NOT " + self.expr(expr.operand, 3)
                return f"({text})" if 3 < parent else text
            if expr.op == "-":
                return "-" + self.expr(expr.operand, 7)
            raise _Unsupported
        if isinstance(expr, ast.FunctionCall):
            name = expr.name.name.upper()
            if name.startswith("JSON_") and name.endswith("_ON_NULL"):
                raise _Unsupported  # JSON_ARRAYAGG / JSON_OBJECTAGG: their own syntax, shown as written
            if expr.star:
                return f"{name}(*)"
            args = ", ".join(self.expr(a) for a in expr.args)
            return f"{name}({'DISTINCT ' if expr.distinct else ''}{args})"
        if isinstance(expr, ast.IsNull):
            text = self.expr(expr.operand, 4) + (" IS NOT NULL" if expr.negated else " IS NULL")
            return f"({text})" if 3 < parent else text
        if isinstance(expr, ast.Like):
            if expr.escape is not None:
                raise _Unsupported
            text = f"{self.expr(expr.operand, 5)} {'NOT LIKE' if expr.negated else 'LIKE'} {self.expr(expr.pattern, 5)}"
            return f"({text})" if 4 < parent else text
        if isinstance(expr, ast.InList):
            items = ", ".join(self.expr(i) for i in expr.items)
            text = f"{self.expr(expr.operand, 5)} {'NOT IN' if expr.negated else 'IN'} ({items})"
            return f"({text})" if 4 < parent else text
        if isinstance(expr, ast.Case):
            parts = ["CASE"]
            if expr.operand is not None:
                parts.append(self.expr(expr.operand))
            for when, then in expr.whens:
                parts.append(f"WHEN {self.expr(when)} THEN {self.expr(then)}")
            parts.append(f"ELSE {self.expr(expr.default) if expr.default is not None else 'NULL'}")
            parts.append("END")
            return " ".join(parts)
        raise _Unsupported
