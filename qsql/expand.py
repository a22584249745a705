"""A view's query as Flink's SHOW CREATE VIEW prints it: Calcite's expanded SQL, with every
column qualified by its table's alias, every table fully qualified with ``AS``, ``*``
expanded, and one clause per line.

Only the shapes checked against Flink 2.3 are expanded (SELECT lists of columns, aggregates and
plain operators over tables, views and joins; UNION / INTERSECT / EXCEPT, with ORDER BY / OFFSET /
FETCH after them; subqueries in FROM, IN, EXISTS and as values; WITH; VALUES); for anything else
``expand_query`` returns None and SHOW CREATE VIEW prints the query as written. Expansion happens at CREATE VIEW time, as in Flink, so the
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
_PRECEDENCE = {
    "OR": 1,
    "AND": 2,
    "=": 4,
    "<>": 4,
    "<": 4,
    ">": 4,
    "<=": 4,
    ">=": 4,
    "+": 5,
    "-": 5,
    "||": 5,
    "*": 6,
    "/": 6,
    "%": 6,
}


# Calcite's set operators: INTERSECT binds tighter than UNION and EXCEPT; all left-associative.
_SET_PRECEDENCE = {"UNION": 1, "EXCEPT": 1, "INTERSECT": 2}

Scope = list[tuple[str, list[str]]]  # (alias, column names) of one FROM clause


class _Expander:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        # The FROM clauses being printed, innermost last: a subquery's column may name an outer one.
        self.scopes: list[Scope] = []
        # The WITH tables in reach, innermost last: name -> column names.
        self.common_tables: list[dict[str, list[str]]] = []
        self.derived_used = False

    def query(self, query: ast.Query) -> str:
        text, _ = self.body(query, top=True)
        return text + "\n"

    def body(self, query: ast.Query, top: bool = False) -> tuple[str, list[str]]:
        """The query's text (no final line break) and its column names."""
        if isinstance(query, ast.Select):
            return self.select(query)
        if isinstance(query, ast.SetOperation):
            return self.set_operation(query)
        if isinstance(query, ast.Ordered) and top:
            return self.ordered(query)
        if isinstance(query, ast.With):
            return self.with_(query)
        if isinstance(query, ast.Values):
            return self.values(query)
        raise _Unsupported

    def select(self, query: ast.Select) -> tuple[str, list[str]]:
        scope: Scope = []
        self.scopes.append(scope)
        try:
            return self._select(query, scope)
        finally:
            self.scopes.pop()

    def _select(self, query: ast.Select, scope: Scope) -> tuple[str, list[str]]:
        lines: list[str] = []
        from_text = self.from_item(query.from_, scope) if query.from_ is not None else None
        items: list[str] = []
        names: list[str] = []
        for item in query.items:
            if isinstance(item, ast.SelectStar):
                for alias, columns in scope:
                    if item.qualifier is None or item.qualifier.name == alias:
                        items.extend(f"{quote(alias)}.{quote(c)}" for c in columns)
                        names.extend(columns)
                continue
            assert isinstance(item, ast.SelectExpr)
            text = self.expr(item.expr)
            if item.alias is not None:
                text += f" AS {quote(item.alias.name)}"
                names.append(item.alias.name)
            elif isinstance(item.expr, ast.ColumnRef):
                names.append(item.expr.parts[-1].name)
            else:
                names.append(f"EXPR${len(names)}")  # Calcite's name for an unnamed expression
            items.append(text)
        if query.hints or query.windows:
            raise _Unsupported
        lines.append(("SELECT DISTINCT " if query.distinct else "SELECT ") + ", ".join(items))
        if from_text is not None:
            lines.append("FROM " + from_text)
        if query.where is not None:
            lines.append("WHERE " + self.expr(query.where))
        if query.group_by:
            lines.append("GROUP BY " + ", ".join(self.expr(e) for e in query.group_by))
        if query.having is not None:
            lines.append("HAVING " + self.expr(query.having))
        if query.order_by:
            order = []
            for o in query.order_by:
                # A name the SELECT list gives (alias or column) prints bare, as Calcite does.
                if isinstance(o.expr, ast.ColumnRef) and len(o.expr.parts) == 1 and o.expr.name in names:
                    text = quote(o.expr.name)
                else:
                    text = self.expr(o.expr)
                order.append(self.order_suffix(text, o))
            lines.append("ORDER BY " + ", ".join(order))
        lines += self.offset_fetch(query.offset, query.limit)
        return "\n".join(lines), names

    @staticmethod
    def order_suffix(text: str, item: ast.OrderItem) -> str:
        if item.nulls_first is not None:
            raise _Unsupported
        return text + " DESC" if item.descending else text

    @staticmethod
    def offset_fetch(offset: int | None, limit: int | None) -> list[str]:
        lines = []
        if offset is not None:
            lines.append(f"OFFSET {offset} ROWS")
        if limit is not None:
            lines.append(f"FETCH NEXT {limit} ROWS ONLY")
        return lines

    def set_operation(self, query: ast.SetOperation) -> tuple[str, list[str]]:
        """Calcite prints the branches one below the other, the operator on a line of its own,
        and parenthesizes an operand only where precedence needs it (``A UNION (B UNION C)``)."""
        precedence = _SET_PRECEDENCE[query.op]
        left, names = self.branch(query.left)
        if isinstance(query.left, ast.SetOperation) and _SET_PRECEDENCE[query.left.op] < precedence:
            left = f"({left})"
        right, _ = self.branch(query.right)
        if isinstance(query.right, ast.SetOperation) and _SET_PRECEDENCE[query.right.op] <= precedence:
            right = f"({right})"
        return f"{left}\n{query.op}{' ALL' if query.all else ''}\n{right}", names

    def branch(self, query: ast.Query) -> tuple[str, list[str]]:
        """One operand of a set operation: a SELECT without its own ORDER BY / LIMIT, or another
        set operation (what else Calcite prints there is not checked)."""
        if isinstance(query, ast.Select) and not (
            query.order_by or query.limit is not None or query.offset is not None
        ):
            return self.select(query)
        if isinstance(query, ast.SetOperation):
            return self.set_operation(query)
        if isinstance(query, ast.Values):
            text, names = self.values(query)
            return f"({text})", names
        raise _Unsupported

    def derived_name(self) -> str:
        """Calcite's name for a FROM subquery without an alias, and for the subquery it makes of a
        set operation with ORDER BY: ``EXPR$0`` (only one per view is checked against Flink)."""
        if self.derived_used:
            raise _Unsupported
        self.derived_used = True
        return "EXPR$0"

    def ordered(self, query: ast.Ordered) -> tuple[str, list[str]]:
        """ORDER BY / OFFSET / FETCH after a set operation: Calcite selects the operation's
        columns from it as a subquery named ``EXPR$0`` and orders that."""
        if not isinstance(query.query, ast.SetOperation):
            raise _Unsupported
        inner, names = self.set_operation(query.query)
        derived = quote(self.derived_name())
        lines = ["SELECT " + ", ".join(f"{derived}.{quote(n)}" for n in names), f"FROM ({inner}) AS {derived}"]
        if query.order_by:
            order = []
            self.scopes.append([("", names)])  # the operation's columns, printed bare
            try:
                for o in query.order_by:
                    order.append(self.order_suffix(self.expr(o.expr), o))
            finally:
                self.scopes.pop()
            lines.append("ORDER BY " + ", ".join(order))
        lines += self.offset_fetch(query.offset, query.limit)
        return "\n".join(lines), names

    def with_(self, query: ast.With) -> tuple[str, list[str]]:
        tables: dict[str, list[str]] = {}
        self.common_tables.append(tables)
        try:
            parts = []
            for table in query.tables:
                text, names = self.body(table.query)
                head = quote(table.name.name)
                if table.columns is not None:
                    names = [c.name for c in table.columns]
                    head += " (" + ", ".join(quote(n) for n in names) + ")"
                parts.append(f"{head} AS ({text})")
                tables[table.name.name] = names
            text, names = self.body(query.query)
            return "WITH " + ", ".join(parts) + " " + text, names
        finally:
            self.common_tables.pop()

    def values(self, query: ast.Values) -> tuple[str, list[str]]:
        rows = ["ROW(" + ", ".join(self.expr(e) for e in row) + ")" for row in query.rows]
        return "VALUES " + ",\n".join(rows), [f"EXPR${i}" for i in range(len(query.rows[0]))]

    def common_table(self, name: ast.QualifiedName) -> list[str] | None:
        if len(name.parts) != 1:
            return None
        for tables in reversed(self.common_tables):
            if name.parts[0].name in tables:
                return tables[name.parts[0].name]
        return None

    def from_item(self, item: ast.FromItem, scope: Scope) -> str:
        if isinstance(item, ast.TableRef):
            if item.columns is not None or item.options is not None:
                raise _Unsupported
            common = self.common_table(item.name)
            alias = item.alias.name if item.alias else object_name(item.name)
            if common is not None:
                scope.append((alias, common))
                return f"{quote(item.name.parts[0].name)} AS {quote(alias)}"
            entry = self.catalog.get_relation(item.name)
            scope.append((alias, [c.name for c in entry.columns]))
            return f"{PREFIX}.{quote(entry.name)} AS {quote(alias)}"
        if isinstance(item, ast.SubqueryRef):
            text, names = self.body(item.query)
            alias = item.alias.name if item.alias is not None else self.derived_name()
            suffix = ""
            if item.columns is not None:
                names = [c.name for c in item.columns]
                suffix = " (" + ", ".join(quote(n) for n in names) + ")"
            scope.append((alias, names))
            return f"({text}) AS {quote(alias)}{suffix}"
        if isinstance(item, ast.MLPredict):
            return self.ml_predict(item, scope)
        if isinstance(item, ast.Join):
            left = self.from_item(item.left, scope)
            right = self.from_item(item.right, scope)
            if item.using is not None:
                raise _Unsupported
            if item.condition is None:
                raise _Unsupported  # CROSS JOIN and comma joins print differently
            keyword = {"inner": "INNER JOIN", "left": "LEFT JOIN", "right": "RIGHT JOIN", "full": "FULL JOIN"}[
                item.kind
            ]
            return f"{left}\n{keyword} {right} ON {self.expr(item.condition)}"
        raise _Unsupported

    def ml_predict(self, call: ast.MLPredict, scope: Scope) -> str:
        """Calcite's text for ML_PREDICT (each form checked against Flink 2.3): the input is a
        subquery (a table becomes one selecting its columns), the model keeps its name as written,
        a config MAP follows the descriptor, the named form names each argument, and the call is
        wrapped in TABLE(...) with the alias (``EXPR$0`` when there is none)."""
        if call.named and call.config is not None:
            raise _Unsupported  # CONFIG => MAP[...]: not checked
        if isinstance(call.table, ast.QualifiedName):
            if self.common_table(call.table) is not None:
                raise _Unsupported
            entry = self.catalog.get_relation(call.table)
            table = quote(entry.name)
            columns = [c.name for c in entry.columns]
            inner = "SELECT " + ", ".join(f"{table}.{quote(c)}" for c in columns)
            inner += f"\nFROM {PREFIX}.{table} AS {table}"
        else:
            inner, columns = self.body(call.table)
        model = self.catalog.get_model(call.model)
        names = list(columns)
        for output in model.outputs:  # Flink's renaming of an output that clashes: content0, ...
            name, index = output.name, 0
            while name in names:
                name, index = f"{output.name}{index}", index + 1
            names.append(name)
        alias = call.alias.name if call.alias is not None else self.derived_name()
        model_name = ".".join(quote(p.name) for p in call.model.parts)
        descriptor = "DESCRIPTOR(" + ", ".join(quote(c.name) for c in call.descriptor) + ")"
        if call.named:
            arguments = [f"`INPUT` => ({inner})", f"`MODEL` => (MODEL {model_name})", f"`ARGS` => {descriptor}"]
        else:
            arguments = [f"({inner})", f"MODEL {model_name}", descriptor]
        if call.config is not None:
            arguments.append("MAP[" + ", ".join(self.expr(item) for item in call.config.items) + "]")
        scope.append((alias, names))
        return f"TABLE({quote('ML_PREDICT')}({', '.join(arguments)})) AS {quote(alias)}"

    def column(self, ref: ast.ColumnRef) -> str:
        parts = [p.name for p in ref.parts]
        if len(parts) == 2:
            return f"{quote(parts[0])}.{quote(parts[1])}"
        if len(parts) != 1:
            raise _Unsupported
        for scope in reversed(self.scopes):  # the innermost FROM first, then the enclosing ones
            owners = [alias for alias, columns in scope if parts[0] in columns]
            if len(owners) > 1:
                raise _Unsupported
            if owners:
                return f"{quote(owners[0])}.{quote(parts[0])}" if owners[0] else quote(parts[0])
        raise _Unsupported

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
            left = self.expr(
                expr.left,
                precedence
                - (1 if expr.left.__class__ is ast.BinaryOp and getattr(expr.left, "op", None) == expr.op else 0),
            )
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
            if expr.filter is not None:
                raise _Unsupported  # FILTER (WHERE ...): not checked against Flink's text
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
        if isinstance(expr, ast.ScalarSubquery):
            return "(((" + self.body(expr.query)[0] + ")))"  # Calcite's parentheses, three deep
        if isinstance(expr, ast.InSubquery):
            text = f"{self.expr(expr.operand, 5)} {'NOT IN' if expr.negated else 'IN'} ({self.body(expr.query)[0]})"
            return f"({text})" if 4 < parent else text
        if isinstance(expr, ast.Exists):
            return f"EXISTS ({self.body(expr.query)[0]})"
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
