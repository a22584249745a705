"""Lark tree -> AST. One method per grammar rule; a rule without a method is a bug and raises."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal
from typing import Any

from lark import Token, Transformer, Tree
from lark.tree import Meta

from . import ast
from . import types as T
from .errors import QsqlSyntaxError, shorten
from .lazydataclass import lazy_dataclass
from .reserved import is_reserved
from .source import Span


def span_of(item: Meta | Token) -> Span:
    # A lexed Token always has its position; lark types a Token's as Optional.
    return Span(item.line, item.column, item.end_line, item.end_column, item.start_pos, item.end_pos)  # type: ignore[arg-type]


class _MetaTransformer(Transformer):
    """Calls ``rule(meta, children)`` directly, bottom-up. Lark's generic machinery (its
    v_args(meta=True) rebuilds a wrapper on every call) cost more than the AST building itself."""

    def transform(self, tree):
        # Iterative post-order walk: the depth of a tree follows the user's input (490 ORs,
        # 245 nested CASEs), so recursing here would hit Python's recursion limit.
        done: list[object] = []
        stack: list[tuple[object, bool]] = [(tree, False)]
        while stack:
            node, expanded = stack.pop()
            if not isinstance(node, Tree):
                done.append(node)  # a token stands for itself
            elif expanded:
                count = len(node.children)
                children = done[len(done) - count :]
                del done[len(done) - count :]
                method = getattr(self, node.data, None)
                if method is None:
                    done.append(self.__default__(node.data, children, node.meta))
                else:
                    done.append(method(node.meta, children))
            else:
                stack.append((node, True))
                stack.extend((child, False) for child in reversed(node.children))
        return done[0]


def unquote_string(text: str) -> str:
    return text[1:-1].replace("''", "'")


# Intermediate values that only live between two transformer methods.
@lazy_dataclass(frozen=True)
class _Flag:
    name: str


@lazy_dataclass(frozen=True)
class _Columns:
    role: str  # "input" | "output" | "table"
    items: tuple[ast.ColumnDef, ...]


@lazy_dataclass(frozen=True)
class _Comment:
    text: str


@lazy_dataclass(frozen=True)
class _Options:
    items: tuple[ast.OptionItem, ...]


@lazy_dataclass(frozen=True)
class _TableAction:
    kind: str
    fields: dict


@lazy_dataclass(frozen=True)
class _Position:
    after: ast.Identifier | None  # None: FIRST


def _alter_columns(value: object) -> tuple:
    return value if isinstance(value, tuple) else (value,)


@lazy_dataclass(frozen=True)
class _Names:
    items: tuple[ast.Identifier, ...]


@lazy_dataclass(frozen=True)
class _Keys:
    """ALTER MODEL ... RESET's option keys."""

    keys: tuple[str, ...]


@lazy_dataclass(frozen=True)
class _PredictArg:
    kind: str  # "table" | "model" | "descriptor" | "config"
    # By kind: a QualifiedName (table, model) or a Query (a subquery as the table), a tuple of Identifiers (descriptor), a MapConstructor (config).
    value: Any
    span: Span
    name: ast.Identifier | None = None


@lazy_dataclass(frozen=True)
class _Where:
    condition: ast.Expr


@lazy_dataclass(frozen=True)
class _Having:
    condition: ast.Expr


@lazy_dataclass(frozen=True)
class _Group:
    items: tuple[ast.Expr, ...]


@lazy_dataclass(frozen=True)
class _Order:
    items: tuple[ast.OrderItem, ...]


@lazy_dataclass(frozen=True)
class _Limit:
    count: int


@lazy_dataclass(frozen=True)
class _Offset:
    count: int


@lazy_dataclass(frozen=True)
class _Windows:
    items: tuple[tuple, ...]


@lazy_dataclass(frozen=True)
class _RowLimits:
    items: tuple[object, ...]


@lazy_dataclass(frozen=True)
class _WithTables:
    items: tuple[ast.CommonTable, ...]


@lazy_dataclass(frozen=True)
class _Kind:
    name: str


@lazy_dataclass(frozen=True)
class _Rename:
    name: ast.QualifiedName


@lazy_dataclass(frozen=True)
class _TypeName:
    name: str
    span: Span


def _pick(children: list, cls: type) -> list:
    return [c for c in children if isinstance(c, cls)]


def _first(children: list, cls: type) -> Any:
    found = _pick(children, cls)
    return found[0] if found else None


def _has_token(children: list, token_type: str) -> bool:
    return any(isinstance(c, Token) and c.type == token_type for c in children)


class AstBuilder(_MetaTransformer):
    """Builds :mod:`qsql.ast` nodes; see grammar/qsql.lark for the rules."""

    def __default__(self, data, children, meta):
        raise NotImplementedError(f"grammar rule '{data}' has no AST mapping")

    # ------------------------------------------------------------------ script
    def start(self, meta, children):
        return [c for c in children if isinstance(c, ast.Statement)]

    # ------------------------------------------------------------------ DDL
    def create_model(self, meta, children):
        inputs = next((c.items for c in _pick(children, _Columns) if c.role == "input"), ())
        outputs = next((c.items for c in _pick(children, _Columns) if c.role == "output"), ())
        comment = _first(children, _Comment)
        return ast.CreateModel(
            name=_first(children, ast.QualifiedName),
            inputs=inputs,
            outputs=outputs,
            options=_first(children, _Options).items,
            comment=comment.text if comment else None,
            temporary=_has_token(children, "TEMPORARY"),
            if_not_exists=_Flag("if_not_exists") in children,
            or_replace=_Flag("or_replace") in children,
            span=span_of(meta),
        )

    def model_input(self, meta, children):
        return _Columns("input", children[0].items)

    def model_output(self, meta, children):
        return _Columns("output", children[0].items)

    def create_view(self, meta, children):
        columns = _first(children, _Names)
        comment = _first(children, _Comment)
        return ast.CreateView(
            name=_first(children, ast.QualifiedName),
            columns=columns.items if columns else None,
            query=_first(children, ast.Query),
            comment=comment.text if comment else None,
            temporary=_has_token(children, "TEMPORARY"),
            if_not_exists=_Flag("if_not_exists") in children,
            or_replace=_Flag("or_replace") in children,
            span=span_of(meta),
        )

    def view_columns(self, meta, children):
        return _Names(tuple(children))

    def create_table(self, meta, children):
        comment = _first(children, _Comment)
        columns = _first(children, _Columns)
        query = _first(children, ast.Query)
        if columns is None and query is None:
            raise QsqlSyntaxError(
                "CREATE TABLE needs its columns, (col type, ...), or a query: CREATE TABLE t WITH (...) AS SELECT ...",
                span_of(meta),
            )
        return ast.CreateTable(
            name=_first(children, ast.QualifiedName),
            columns=columns.items if columns is not None else (),
            query=query,
            options=_first(children, _Options).items,
            comment=comment.text if comment else None,
            temporary=_has_token(children, "TEMPORARY"),
            if_not_exists=_Flag("if_not_exists") in children,
            or_replace=_Flag("or_replace") in children,
            span=span_of(meta),
        )

    def if_not_exists(self, meta, children):
        return _Flag("if_not_exists")

    def or_replace(self, meta, children):
        return _Flag("or_replace")

    # ------------------------------------------------------------------ catalog
    def drop_statement(self, meta, children):
        return ast.Drop(
            kind=_first(children, _Kind).name,
            name=_first(children, ast.QualifiedName),
            temporary=_has_token(children, "TEMPORARY"),
            if_exists=_Flag("if_exists") in children,
            span=span_of(meta),
        )

    def kind_table(self, meta, children):
        return _Kind("table")

    def kind_view(self, meta, children):
        return _Kind("view")

    def kind_model(self, meta, children):
        return _Kind("model")

    def if_exists(self, meta, children):
        return _Flag("if_exists")

    def show_statement(self, meta, children):
        what = str(children[0]).upper()
        ilike = next((c for c in children if isinstance(c, Token) and c.type == "ILIKE"), None)
        if ilike is not None and what != "FUNCTIONS":
            # Flink 2.3's parser takes ILIKE only in SHOW FUNCTIONS: 'Encountered "ILIKE"'.
            raise QsqlSyntaxError(
                f"SHOW {what} takes [NOT] LIKE, not ILIKE (Flink accepts ILIKE only in SHOW FUNCTIONS)",
                span_of(ilike),
            )
        pattern = next((unquote_string(c) for c in children if isinstance(c, Token) and c.type == "STRING"), None)
        return ast.Show(
            what=what,
            database=_first(children, ast.QualifiedName),
            pattern=pattern,
            negated=_has_token(children, "NOT_KW"),
            case_insensitive=_has_token(children, "ILIKE"),
            span=span_of(meta),
        )

    def show_current(self, meta, children):
        return ast.ShowCurrent(what=str(children[-1]).upper(), span=span_of(meta))

    def use_catalog(self, meta, children):
        name = _first(children, ast.Identifier)
        return ast.Use(name=ast.QualifiedName(parts=(name,), span=name.span), catalog=True, span=span_of(meta))

    def use_database(self, meta, children):
        return ast.Use(name=_first(children, ast.QualifiedName), span=span_of(meta))

    def show_create(self, meta, children):
        return ast.ShowCreate(kind=children[0].name, name=children[1], span=span_of(meta))

    def show_columns(self, meta, children):
        ilike = next((c for c in children if isinstance(c, Token) and c.type == "ILIKE"), None)
        if ilike is not None:  # (Flink 2.3) 'Encountered "ILIKE"'
            raise QsqlSyntaxError("SHOW COLUMNS takes [NOT] LIKE, not ILIKE", span_of(ilike))
        pattern = next((unquote_string(c) for c in children if isinstance(c, Token) and c.type == "STRING"), None)
        return ast.ShowColumns(
            name=_first(children, ast.QualifiedName),
            pattern=pattern,
            negated=_has_token(children, "NOT_KW"),
            case_insensitive=_has_token(children, "ILIKE"),
            span=span_of(meta),
        )

    def describe(self, meta, children):
        return ast.Describe(
            name=_first(children, ast.QualifiedName), model=_has_token(children, "MODEL_KW"), span=span_of(meta)
        )

    def alter_model(self, meta, children):
        action = children[-1]
        return ast.AlterModel(
            name=_first(children, ast.QualifiedName),
            if_exists=_Flag("if_exists") in children,
            set_options=action.items if isinstance(action, _Options) else None,
            reset_keys=action.keys if isinstance(action, _Keys) else None,
            rename_to=action.name if isinstance(action, _Rename) else None,
            span=span_of(meta),
        )

    def alter_set(self, meta, children):
        return _Options(tuple(children))

    def alter_reset(self, meta, children):
        return _Keys(tuple(unquote_string(c) for c in children))

    def alter_rename(self, meta, children):
        return _Rename(children[0])

    def alter_table(self, meta, children):
        action = children[-1]
        name = _first(children, ast.QualifiedName)
        if_exists = _Flag("if_exists") in children
        span = span_of(meta)
        if isinstance(action, _Rename):
            return ast.AlterTable(name=name, action="rename", if_exists=if_exists, rename_to=action.name, span=span)
        assert isinstance(action, _TableAction)
        return ast.AlterTable(name=name, action=action.kind, if_exists=if_exists, span=span, **action.fields)

    def table_set(self, meta, children):
        return _TableAction("set", {"options": tuple(children)})

    def table_reset(self, meta, children):
        return _TableAction("reset", {"keys": tuple(unquote_string(c) for c in children)})

    def table_rename_column(self, meta, children):
        return _TableAction("rename_column", {"old_column": children[0], "new_column": children[1]})

    def table_add(self, meta, children):
        return _TableAction("add", {"columns": _alter_columns(children[0])})

    def table_modify(self, meta, children):
        return _TableAction("modify", {"columns": _alter_columns(children[0])})

    def table_drop(self, meta, children):
        return _TableAction("drop", {"dropped": tuple(children)})

    def alter_column_list(self, meta, children):
        return tuple(children)

    def alter_column(self, meta, children):
        comment = _first(children, _Comment)
        position = _first(children, _Position)
        definition = ast.ColumnDef(
            name=children[0], dtype=children[1], comment=comment.text if comment else None, span=span_of(meta)
        )
        return ast.AlterColumn(
            definition=definition,
            first=position is not None and position.after is None,
            after=position.after if position else None,
            span=span_of(meta),
        )

    def column_position(self, meta, children):
        return _Position(children[0] if isinstance(children[0], ast.Identifier) else None)

    def alter_view(self, meta, children):
        names = _pick(children, ast.QualifiedName)
        return ast.AlterView(
            name=names[0],
            rename_to=names[1] if len(names) > 1 else None,
            query=_first(children, ast.Query),
            span=span_of(meta),
        )

    def explain(self, meta, children):
        return ast.Explain(statement=children[-1], span=span_of(meta))

    def statement_set(self, meta, children):
        return ast.StatementSet(inserts=tuple(c for c in children if isinstance(c, ast.Insert)), span=span_of(meta))

    def begin_statement_set(self, meta, children):
        return ast.BeginStatementSet(span=span_of(meta))

    def end_statement_set(self, meta, children):
        return ast.EndStatementSet(span=span_of(meta))

    def comment(self, meta, children):
        return _Comment(unquote_string(children[0]))

    def column_defs(self, meta, children):
        return _Columns("table", tuple(children))

    def column_def(self, meta, children):
        comment = _first(children, _Comment)
        return ast.ColumnDef(
            name=children[0], dtype=children[1], comment=comment.text if comment else None, span=span_of(meta)
        )

    def with_options(self, meta, children):
        return _Options(tuple(children))

    def option(self, meta, children):
        key, value = children
        return ast.OptionItem(
            key=unquote_string(key), value=unquote_string(value), value_span=span_of(value), span=span_of(key)
        )

    # ------------------------------------------------------------------ types
    def data_type(self, meta, children):
        dtype = children[0]
        if len(children) > 1:
            dtype = dtype.with_nullable(False)
        return dtype

    def not_null(self, meta, children):
        return _Flag("not_null")

    def simple_type(self, meta, children):
        name: _TypeName = children[0]
        params = [small_integer(c, span_of(c)) for c in children if isinstance(c, Token) and c.type == "INTEGER"]
        if _Flag("without_time_zone") in children and name.name.upper() not in ("TIMESTAMP", "TIME"):
            raise QsqlSyntaxError(f"WITHOUT TIME ZONE applies only to TIMESTAMP and TIME, not {name.name}", name.span)
        if _Flag("with_local_time_zone") in children:
            if name.name.upper() != "TIMESTAMP":
                raise QsqlSyntaxError(f"WITH LOCAL TIME ZONE applies only to TIMESTAMP, not {name.name}", name.span)
            return T.type_from_name("TIMESTAMP_LTZ", params, span_of(meta))
        return T.type_from_name(name.name, params, span_of(meta))

    def type_name(self, meta, children):
        return _TypeName(str(children[0]), span_of(children[0]))

    def two_word_type_name(self, meta, children):
        first, second = children
        if first.upper() == "DOUBLE" and second.upper() == "PRECISION":
            return _TypeName("DOUBLE", span_of(first))
        raise QsqlSyntaxError(f"unknown data type '{first} {second}'", span_of(meta))

    def time_zone_suffix(self, meta, children):
        return _Flag("without_time_zone")

    def array_type(self, meta, children):
        return T.array(children[1])

    def map_type(self, meta, children):
        return T.map_of(children[1], children[2])

    def multiset_type(self, meta, children):
        return T.multiset(children[0])

    # ------------------------------------------------------------------ session
    def set_statement(self, meta, children):
        if not children:
            return ast.SetOption(key=None, value=None, span=span_of(meta))
        key, value = (unquote_string(c) if c.type == "STRING" else str(c) for c in children)
        return ast.SetOption(key=key, value=value, span=span_of(meta))

    def reset_statement(self, meta, children):
        return ast.ResetOption(key=unquote_string(children[0]) if children else None, span=span_of(meta))

    # ------------------------------------------------------------------ DML
    def insert(self, meta, children):
        columns = _first(children, _Names)
        return ast.Insert(
            table=_first(children, ast.QualifiedName),
            columns=columns.items if columns else None,
            query=_first(children, ast.Query),
            overwrite=_has_token(children, "OVERWRITE"),
            span=span_of(meta),
        )

    def insert_columns(self, meta, children):
        return _Names(tuple(children))

    def query_statement(self, meta, children):
        return ast.QueryStatement(query=children[0], span=span_of(meta))

    def query(self, meta, children):
        with_ = _first(children, _WithTables)
        body = next(c for c in children if isinstance(c, ast.Query))
        order = _first(children, _Order)
        limits = _first(children, _RowLimits)
        parts = limits.items if limits else ()
        limit = _first(list(parts), _Limit)
        offset = _first(list(parts), _Offset)
        if order is not None or limit is not None or offset is not None:
            order_by = order.items if order else None
            count = limit.count if limit else None
            skip = offset.count if offset else None
            if isinstance(body, ast.Select) and body.order_by is None and body.limit is None and body.offset is None:
                body = replace(body, order_by=order_by, limit=count, offset=skip)
            else:
                body = ast.Ordered(query=body, order_by=order_by, limit=count, offset=skip, span=span_of(meta))
        if with_ is not None:
            body = ast.With(tables=with_.items, query=body, span=span_of(meta))
        return body

    def with_clause(self, meta, children):
        return _WithTables(tuple(children))

    def cte(self, meta, children):
        columns = _first(children, _Names)
        return ast.CommonTable(
            name=children[0], columns=columns.items if columns else None, query=children[-1], span=span_of(meta)
        )

    def set_operation(self, meta, children):
        left, op = children[0], children[1]
        quantifier = _first(children, _Flag)
        return ast.SetOperation(
            op=str(op).upper(),
            left=left,
            right=children[-1],
            all=quantifier is not None and quantifier.name == "ALL",
            span=span_of(meta),
        )

    def set_quantifier(self, meta, children):
        return _Flag(str(children[0]).upper())

    def row_limits(self, meta, children):
        return _RowLimits(tuple(children))

    def offset_clause(self, meta, children):
        return _Offset(small_integer(children[0], span_of(children[0])))

    def fetch_clause(self, meta, children):
        count = next(
            (small_integer(c, span_of(c)) for c in children if isinstance(c, Token) and c.type == "INTEGER"), 1
        )
        return _Limit(count)

    def select(self, meta, children):
        items = tuple(c for c in children if isinstance(c, ast.SelectItem))
        from_ = _first(children, ast.FromItem)
        where = _first(children, _Where)
        group = _first(children, _Group)
        having = _first(children, _Having)
        windows = _first(children, _Windows)
        return ast.Select(
            items=items,
            from_=from_,
            where=where.condition if where else None,
            distinct=_has_token(children, "DISTINCT"),
            group_by=group.items if group else None,
            having=having.condition if having else None,
            windows=windows.items if windows else (),
            hints=query_hint_names(next((c for c in children if isinstance(c, Token) and c.type == "HINT"), None)),
            span=span_of(meta),
        )

    def from_clause(self, meta, children):
        item = children[0]
        for join in children[1:]:
            kind, right, condition, span = join
            using = condition.items if isinstance(condition, _Names) else None
            condition = None if isinstance(condition, _Names) else condition
            item = ast.Join(left=item, right=right, kind=kind, condition=condition, using=using, span=span)
        return item

    def join(self, meta, children):
        kind = "inner"
        if isinstance(children[0], Token) and children[0].type == "JOIN_TYPE":
            kind = children[0].split()[0].lower()
            children = children[1:]
        right, condition = children
        return (kind, right, condition, span_of(meta))

    def cross_join(self, meta, children):
        return ("cross", children[-1], None, span_of(meta))

    def comma_join(self, meta, children):
        return ("cross", children[-1], None, span_of(meta))

    def using_columns(self, meta, children):
        return _Names(tuple(children))

    def parenthesized_join(self, meta, children):
        return self.from_clause(meta, children)

    def subquery(self, meta, children):
        alias = next((c for c in children[1:] if isinstance(c, ast.Identifier)), None)
        columns = _first(children, _Names)
        return ast.SubqueryRef(
            query=children[0], alias=alias, columns=columns.items if columns else None, span=span_of(meta)
        )

    def unnest(self, meta, children):
        alias = next((c for c in children if isinstance(c, ast.Identifier)), None)
        columns = _first(children, _Names)
        return ast.Unnest(
            exprs=tuple(c for c in children if isinstance(c, ast.Expr)),
            ordinality=_has_token(children, "ORDINALITY"),
            alias=alias,
            columns=columns.items if columns else None,
            span=span_of(meta),
        )

    def where_clause(self, meta, children):
        return _Where(children[0])

    def group_clause(self, meta, children):
        return _Group(tuple(children))

    def having_clause(self, meta, children):
        return _Having(children[0])

    def order_clause(self, meta, children):
        return _Order(tuple(children))

    def order_item(self, meta, children):
        expr = children[0]
        tokens = [str(c).upper() for c in children[1:] if isinstance(c, Token)]
        nulls_first = None
        if "NULLS" in tokens:
            nulls_first = "FIRST" in tokens
        return ast.OrderItem(expr=expr, descending="DESC" in tokens, nulls_first=nulls_first, span=span_of(meta))

    def limit_clause(self, meta, children):
        return _Limit(small_integer(children[0], span_of(children[0])))

    def select_expr(self, meta, children):
        alias = children[1] if len(children) > 1 else None
        return ast.SelectExpr(expr=children[0], alias=alias, span=span_of(meta))

    def select_star(self, meta, children):
        return ast.SelectStar(span=span_of(meta))

    def select_qualified_star(self, meta, children):
        return ast.SelectStar(qualifier=children[0], span=span_of(meta))

    def alias(self, meta, children):
        return children[0]

    def table_ref(self, meta, children):
        alias = next((c for c in children[1:] if isinstance(c, ast.Identifier)), None)
        columns = _first(children, _Names)
        hint = next((c for c in children if isinstance(c, Token) and c.type == "HINT"), None)
        return ast.TableRef(
            name=children[0],
            alias=alias,
            columns=columns.items if columns else None,
            options=table_hint_options(hint) if hint is not None else None,
            span=span_of(meta),
        )

    def ml_predict(self, meta, children):
        call: ast.MLPredict = children[0]
        alias = children[1] if len(children) > 1 else None
        return replace(call, alias=alias)

    def table_function(self, meta, children):
        return self.ml_predict(meta, children)

    def ml_predict_call(self, meta, children):
        args: list[_PredictArg] = [c for c in children if isinstance(c, _PredictArg)]
        return _build_ml_predict(args, span_of(meta))

    def table_arg(self, meta, children):
        return _PredictArg("table", children[0], span_of(meta))

    def subquery_arg(self, meta, children):
        # Flink's other spelling of the input: ML_PREDICT((SELECT ...), MODEL m, ...)
        return _PredictArg("table", children[0], span_of(meta))

    def model_arg(self, meta, children):
        return _PredictArg("model", children[0], span_of(meta))

    def descriptor_arg(self, meta, children):
        return _PredictArg("descriptor", tuple(children), span_of(meta))

    def config_arg(self, meta, children):
        return _PredictArg("config", children[0], span_of(meta))

    def named_predict_arg(self, meta, children):
        name, _arrow, arg = children
        return _PredictArg(arg.kind, arg.value, arg.span, name=name)

    def named_model_arg(self, meta, children):
        arg = children[-1]
        name = ast.Identifier(name="MODEL", span=span_of(meta))
        return _PredictArg(arg.kind, arg.value, arg.span, name=name)

    def values(self, meta, children):
        return ast.Values(rows=tuple(children), span=span_of(meta))

    def row(self, meta, children):
        return tuple(children)

    def scalar_row(self, meta, children):
        return (children[0],)  # VALUES 1, 2: one-column rows, as Calcite reads them

    # ------------------------------------------------------------------ expressions
    def or_op(self, meta, children):
        return ast.BinaryOp(op="OR", left=children[0], right=children[1], span=span_of(meta))

    def and_op(self, meta, children):
        return ast.BinaryOp(op="AND", left=children[0], right=children[1], span=span_of(meta))

    def not_op(self, meta, children):
        return ast.UnaryOp(op="NOT", operand=children[-1], span=span_of(meta))

    def is_null(self, meta, children):
        negated = _has_token(children, "NOT_KW")
        return ast.IsNull(operand=children[0], negated=negated, span=span_of(meta))

    def is_true(self, meta, children):
        return ast.IsBool(operand=children[0], value=True, negated=_has_token(children, "NOT_KW"), span=span_of(meta))

    def is_false(self, meta, children):
        return ast.IsBool(operand=children[0], value=False, negated=_has_token(children, "NOT_KW"), span=span_of(meta))

    def is_unknown(self, meta, children):
        return ast.IsUnknown(operand=children[0], negated=_has_token(children, "NOT_KW"), span=span_of(meta))

    def is_distinct_from(self, meta, children):
        left, right = [c for c in children if isinstance(c, ast.Expr)]
        return ast.IsDistinctFrom(left=left, right=right, negated=_has_token(children, "NOT_KW"), span=span_of(meta))

    def is_json(self, meta, children):
        kind = next((c for c in children if isinstance(c, _Kind)), _Kind("VALUE")).name
        return ast.IsJson(operand=children[0], kind=kind, negated=_has_token(children, "NOT_KW"), span=span_of(meta))

    def json_kind(self, meta, children):
        return _Kind(str(children[0]).upper())

    def row_constructor(self, meta, children):
        return ast.RowConstructor(items=tuple(c for c in children if isinstance(c, ast.Expr)), span=span_of(meta))

    def position_call(self, meta, children):
        name = ast.Identifier(name="POSITION", span=span_of(children[0]))
        args = tuple(c for c in children if isinstance(c, ast.Expr))
        return ast.FunctionCall(name=name, args=args, span=span_of(meta))

    def floor_ceil_to(self, meta, children):
        function, operand, unit = children
        if str(function).upper() not in ("FLOOR", "CEIL", "CEILING"):
            raise QsqlSyntaxError(
                f"'{function}(... TO unit)' is not a function form; only FLOOR and CEIL take TO", span_of(meta)
            )
        name = ast.Identifier(name=str(function).upper(), span=span_of(function))
        unit_arg = ast.TimeUnit(unit=str(unit).upper(), span=span_of(unit))
        return ast.FunctionCall(name=name, args=(operand, unit_arg), span=span_of(meta))

    def overlay_call(self, meta, children):
        function = children[0]
        if str(function).upper() != "OVERLAY":
            raise QsqlSyntaxError(
                f"'{function}(... PLACING ...)' is not a function form; only OVERLAY takes PLACING", span_of(meta)
            )
        name = ast.Identifier(name="OVERLAY", span=span_of(function))
        return ast.FunctionCall(name=name, args=tuple(children[1:]), span=span_of(meta))

    def left_right_call(self, meta, children):
        name = ast.Identifier(name=str(children[0]).upper(), span=span_of(children[0]))
        return ast.FunctionCall(name=name, args=tuple(children[1:]), span=span_of(meta))

    def time_unit_call(self, meta, children):
        function, unit, first, second = children
        name = ast.Identifier(name=str(function).upper(), span=span_of(function))
        unit_arg = ast.TimeUnit(unit=str(unit).upper(), span=span_of(unit))
        return ast.FunctionCall(name=name, args=(unit_arg, first, second), span=span_of(meta))

    def _json_call(self, meta: Meta, children: list, name: str, **extra: Any) -> ast.JsonCall:
        return ast.JsonCall(
            name=name,
            args=tuple(c for c in children if isinstance(c, ast.Expr)),
            returning=next((c for c in children if isinstance(c, T.DataType)), None),
            behaviors=tuple(c for c in children if isinstance(c, ast.JsonBehavior)),
            span=span_of(meta),
            **extra,
        )

    def json_value_call(self, meta, children):
        return self._json_call(meta, children, "JSON_VALUE")

    def json_query_call(self, meta, children):
        wrapper = next((c.name for c in children if isinstance(c, _Kind)), None)
        return self._json_call(meta, children, "JSON_QUERY", wrapper=wrapper)

    def json_exists_call(self, meta, children):
        return self._json_call(meta, children, "JSON_EXISTS")

    def json_object_call(self, meta, children):
        args = tuple(part for c in children if isinstance(c, tuple) for part in c)
        on_null = next((c.name for c in children if isinstance(c, _Kind)), None)
        return ast.JsonCall(name="JSON_OBJECT", args=args, on_null=on_null, span=span_of(meta))

    def json_array_call(self, meta, children):
        on_null = next((c.name for c in children if isinstance(c, _Kind)), None)
        return self._json_call(meta, children, "JSON_ARRAY", on_null=on_null)

    def json_arrayagg_call(self, meta, children):
        # Calcite's own names for the two NULL behaviours (Flink's messages use them too).
        on_null = next((c.name for c in children if isinstance(c, _Kind)), "ABSENT")
        name = ast.Identifier(name=f"JSON_ARRAYAGG_{on_null}_ON_NULL", span=span_of(meta))
        return ast.FunctionCall(name=name, args=(children[1],), span=span_of(meta))

    def json_objectagg_call(self, meta, children):
        on_null = next((c.name for c in children if isinstance(c, _Kind)), "NULL")
        key, value = next(c for c in children if isinstance(c, tuple))
        name = ast.Identifier(name=f"JSON_OBJECTAGG_{on_null}_ON_NULL", span=span_of(meta))
        return ast.FunctionCall(name=name, args=(key, value), span=span_of(meta))

    def json_returning(self, meta, children):
        return children[0]

    def json_query_returning(self, meta, children):
        return children[0]

    def simple_name_type(self, meta, children):
        return T.type_from_name(str(children[0]), [], span_of(meta))

    def json_behavior(self, meta, children):
        response, condition = children[0], children[-1]
        condition_word = str(condition).upper()
        if isinstance(response, tuple):  # DEFAULT expr
            return ast.JsonBehavior(
                response="DEFAULT", condition=condition_word, default=response[1], span=span_of(meta)
            )
        words = response.name if isinstance(response, _Kind) else str(response).upper()
        return ast.JsonBehavior(response=words, condition=condition_word, span=span_of(meta))

    def json_response(self, meta, children):
        return _Kind(" ".join(str(c).upper() for c in children))

    def json_default(self, meta, children):
        return ("DEFAULT", children[0])

    def json_wrapper(self, meta, children):
        words = [str(c).upper() for c in children]
        if words[0] == "WITHOUT":
            return _Kind("WITHOUT")
        return _Kind("CONDITIONAL" if "CONDITIONAL" in words else "UNCONDITIONAL")

    def json_key_value(self, meta, children):
        key, value = [c for c in children if isinstance(c, ast.Expr)]
        return (key, value)

    def json_on_null(self, meta, children):
        return _Kind(str(children[0]).upper())

    def like(self, meta, children):
        exprs = [c for c in children if isinstance(c, ast.Expr)]
        escape = next((unquote_string(c) for c in children if isinstance(c, Token) and c.type == "STRING"), None)
        return ast.Like(
            operand=exprs[0],
            pattern=exprs[1],
            escape=escape,
            negated=_has_token(children, "NOT_KW"),
            span=span_of(meta),
        )

    def in_list(self, meta, children):
        exprs = [c for c in children if isinstance(c, ast.Expr)]
        return ast.InList(
            operand=exprs[0], items=tuple(exprs[1:]), negated=_has_token(children, "NOT_KW"), span=span_of(meta)
        )

    def between(self, meta, children):
        operand, low, high = [c for c in children if isinstance(c, ast.Expr)]
        return ast.Between(
            operand=operand, low=low, high=high, negated=_has_token(children, "NOT_KW"), span=span_of(meta)
        )

    def in_subquery(self, meta, children):
        return ast.InSubquery(
            operand=children[0], query=children[-1], negated=_has_token(children, "NOT_KW"), span=span_of(meta)
        )

    def scalar_subquery(self, meta, children):
        return ast.ScalarSubquery(query=children[0], span=span_of(meta))

    def exists(self, meta, children):
        return ast.Exists(query=children[-1], span=span_of(meta))

    def over_call(self, meta, children):
        call, _over, window = children
        partition, order, frame = window
        return ast.Over(call=call, partition_by=partition, order_by=order, frame=frame, span=span_of(meta))

    def filtered_call(self, meta, children):
        call, _filter, condition = children
        return replace(call, filter=condition, span=span_of(meta))

    def over_named(self, meta, children):
        call, _over, name = children
        return ast.Over(call=call, window_name=name, span=span_of(meta))

    def window_clause(self, meta, children):
        return _Windows(tuple(children))

    def named_window(self, meta, children):
        name, (partition, order, frame) = children
        return (name, partition, order, frame)

    def window_spec(self, meta, children):
        partition = next((c.items for c in children if isinstance(c, _Group)), ())
        order = next((c.items for c in children if isinstance(c, _Order)), ())
        frame = _first(children, ast.WindowFrame)
        return (partition, order, frame)

    def partition_clause(self, meta, children):
        return _Group(tuple(c for c in children if isinstance(c, ast.Expr)))

    def frame_clause(self, meta, children):
        unit = str(children[0]).upper()
        bounds = [c for c in children if isinstance(c, ast.FrameBound)]
        end = bounds[1] if len(bounds) > 1 else ast.FrameBound(kind="CURRENT ROW", span=span_of(meta))
        return ast.WindowFrame(unit=unit, start=bounds[0], end=end, span=span_of(meta))

    def frame_unbounded(self, meta, children):
        return ast.FrameBound(kind="UNBOUNDED " + str(children[1]).upper(), span=span_of(meta))

    def frame_current(self, meta, children):
        return ast.FrameBound(kind="CURRENT ROW", span=span_of(meta))

    def frame_offset(self, meta, children):
        return ast.FrameBound(kind=str(children[1]).upper(), offset=children[0], span=span_of(meta))

    def subscript(self, meta, children):
        return ast.Subscript(base=children[0], index=children[1], span=span_of(meta))

    def current_time(self, meta, children):
        return ast.CurrentTime(name=str(children[0]).upper(), span=span_of(meta))

    def case_expr(self, meta, children):
        whens = tuple(c for c in children if isinstance(c, tuple))
        others = [c for c in children if isinstance(c, ast.Expr)]
        # CASE [operand] WHEN ... [ELSE default] END: the operand comes before the WHENs.
        operand = None
        default = None
        if others:
            first_when = children.index(whens[0])
            before = [c for c in children[:first_when] if isinstance(c, ast.Expr)]
            after = [c for c in children[first_when:] if isinstance(c, ast.Expr)]
            operand = before[0] if before else None
            default = after[0] if after else None
        return ast.Case(operand=operand, whens=whens, default=default, span=span_of(meta))

    def when_clause(self, meta, children):
        return (children[0], children[1])

    def extract(self, meta, children):
        unit, operand = children
        return ast.Extract(unit=str(unit).upper(), operand=operand, span=span_of(meta))

    def trim_call(self, meta, children):
        side = next(
            (c.type for c in children if isinstance(c, Token) and c.type in ("BOTH", "LEADING", "TRAILING")), "BOTH"
        )
        exprs = [c for c in children if isinstance(c, ast.Expr)]
        chars, operand = (exprs[0], exprs[1]) if len(exprs) == 2 else (None, exprs[0])
        name = {"BOTH": "BTRIM", "LEADING": "LTRIM", "TRAILING": "RTRIM"}[side]
        args = (operand,) if chars is None else (operand, chars)
        return ast.FunctionCall(name=ast.Identifier(name=name, span=span_of(meta)), args=args, span=span_of(meta))

    def trim_simple(self, meta, children):
        exprs = [c for c in children if isinstance(c, ast.Expr)]
        return ast.FunctionCall(
            name=ast.Identifier(name="BTRIM", span=span_of(meta)), args=tuple(exprs), span=span_of(meta)
        )

    def substring_call(self, meta, children):
        exprs = tuple(c for c in children if isinstance(c, ast.Expr))
        return ast.FunctionCall(
            name=ast.Identifier(name="SUBSTRING", span=span_of(meta)), args=exprs, span=span_of(meta)
        )

    def count_star(self, meta, children):
        name = ast.Identifier(name=str(children[0]), span=span_of(children[0]))
        return ast.FunctionCall(name=name, args=(), star=True, span=span_of(meta))

    def compare_op(self, meta, children):
        left, op, right = children
        return ast.BinaryOp(op="<>" if op == "!=" else str(op), left=left, right=right, span=span_of(meta))

    def binary_op(self, meta, children):
        left, op, right = children
        return ast.BinaryOp(op=str(op), left=left, right=right, span=span_of(meta))

    def unary_op(self, meta, children):
        op, operand = children
        if op == "-" and isinstance(operand, ast.Literal) and operand.text.isdigit():
            # -2147483648 is an INT and -9223372036854775808 a BIGINT, as in Flink: the sign
            # belongs to the literal, so its type is that of the negative value.
            return number_literal("-" + operand.text, span_of(meta))
        if (
            op == "-"
            and isinstance(operand, ast.Literal)
            and isinstance(operand.value, float)
            and operand.value in (float("inf"), float("-inf"))
            and not operand.text.startswith("-")
        ):
            # -1e999: Flink's error names the negative literal ('-1E999' out of range).
            return ast.Literal(value=-operand.value, dtype=operand.dtype, text="-" + operand.text, span=span_of(meta))
        return ast.UnaryOp(op=str(op), operand=operand, span=span_of(meta))

    def cast(self, meta, children):
        kind, operand, target = children
        return ast.Cast(operand=operand, target=target, safe=kind.type == "TRY_CAST", span=span_of(meta))

    def array_constructor(self, meta, children):
        return ast.ArrayConstructor(items=tuple(c for c in children if isinstance(c, ast.Expr)), span=span_of(meta))

    def map_constructor(self, meta, children):
        return ast.MapConstructor(items=tuple(c for c in children if isinstance(c, ast.Expr)), span=span_of(meta))

    def function_call(self, meta, children):
        name = ast.Identifier(name=str(children[0]), span=span_of(children[0]))
        args = tuple(c for c in children[1:] if isinstance(c, ast.Expr))
        return ast.FunctionCall(name=name, args=args, distinct=_has_token(children, "DISTINCT"), span=span_of(meta))

    def column_ref(self, meta, children):
        return ast.ColumnRef(parts=tuple(children), span=span_of(meta))

    def number_literal(self, meta, children):
        token = children[0]
        return number_literal(str(token), span_of(token))

    def string_literal(self, meta, children):
        token = children[0]
        text = unquote_string(token)
        return ast.Literal(
            value=text, dtype=T.char(len(text)).with_nullable(False), text=str(token), span=span_of(token)
        )

    def true_literal(self, meta, children):
        return ast.Literal(value=True, dtype=T.BOOLEAN.with_nullable(False), text="TRUE", span=span_of(children[0]))

    def false_literal(self, meta, children):
        return ast.Literal(value=False, dtype=T.BOOLEAN.with_nullable(False), text="FALSE", span=span_of(children[0]))

    def null_literal(self, meta, children):
        return ast.Literal(value=None, dtype=T.NULL, text="NULL", span=span_of(children[0]))

    def date_literal(self, meta, children):
        text = unquote_string(children[1])
        value = T.parse_date(text)
        if value is None:
            raise QsqlSyntaxError(f"invalid DATE literal '{text}' (expected 'YYYY-MM-DD')", span_of(meta))
        return ast.Literal(value=value, dtype=T.DATE.with_nullable(False), text=f"DATE '{text}'", span=span_of(meta))

    def timestamp_literal(self, meta, children):
        text = unquote_string(children[1])
        value = T.parse_timestamp(text)
        if value is None or " " not in text.strip():
            raise QsqlSyntaxError(
                f"invalid TIMESTAMP literal '{text}' (expected 'YYYY-MM-DD HH:MM:SS[.fff]')", span_of(meta)
            )
        precision = T.timestamp_literal_precision(text)
        return ast.Literal(
            value=value,
            dtype=T.timestamp(precision).with_nullable(False),
            text=f"TIMESTAMP '{text}'",
            span=span_of(meta),
        )

    def time_literal(self, meta, children):
        text = unquote_string(children[1])
        value = T.parse_time(text)
        if value is None:
            raise QsqlSyntaxError(f"invalid TIME literal '{text}' (expected 'HH:MM:SS[.fff]')", span_of(meta))
        precision = T.timestamp_literal_precision("2000-01-01 " + text.strip())
        return ast.Literal(
            value=value, dtype=T.time(precision).with_nullable(False), text=f"TIME '{text}'", span=span_of(meta)
        )

    def unicode_string_literal(self, meta, children):
        token = str(children[0])
        match = _UNICODE_STRING.fullmatch(token)
        assert match is not None, token
        body, escape = match.group(1).replace("''", "'"), match.group(2) or "\\"
        try:
            text = decode_unicode_escapes(body, escape)
        except ValueError as error:
            raise QsqlSyntaxError(str(error), span_of(meta)) from None
        return ast.Literal(value=text, dtype=T.char(len(text)).with_nullable(False), text=token, span=span_of(meta))

    def binary_literal(self, meta, children):
        token = str(children[0])
        digits = "".join(token[2:-1].split())
        if len(digits) % 2:
            raise QsqlSyntaxError(f"binary literal {token} needs an even number of hex digits", span_of(meta))
        value = bytes.fromhex(digits)
        return ast.Literal(
            value=value, dtype=T.binary(max(len(value), 1)).with_nullable(False), text=token, span=span_of(meta)
        )

    def interval_literal(self, meta, children):
        sign = -1 if any(isinstance(c, Token) and c.type == "ADD_OP" and c == "-" for c in children) else 1
        value_token = next(c for c in children if isinstance(c, Token) and c.type in ("STRING", "NUMBER"))
        qualifier = children[-1]
        text = unquote_string(value_token) if value_token.type == "STRING" else str(value_token)
        try:
            value, dtype = T.parse_interval(text, qualifier[0], qualifier[1], qualifier[2])
        except ValueError as error:
            raise QsqlSyntaxError(str(error), span_of(meta)) from None
        if sign < 0:
            value = -value
        return ast.Literal(
            value=value, dtype=dtype.with_nullable(False), text=f"INTERVAL {value_token}", span=span_of(meta)
        )

    def interval_qualifier(self, meta, children):
        names = [str(c).upper() for c in children if isinstance(c, Token) and c.type == "NAME"]
        precisions = [int(c) for c in children if isinstance(c, Token) and c.type == "INTEGER"]
        return (names[0], names[1] if len(names) > 1 else None, precisions)

    def row_type(self, meta, children):
        fields = tuple(c for c in children if isinstance(c, T.RowField))
        return T.row(fields)

    def row_field(self, meta, children):
        comment = _first(children, _Comment)
        return T.RowField(children[0].name, children[1], comment.text if comment else None)

    def local_time_zone_suffix(self, meta, children):
        return _Flag("with_local_time_zone")

    # ------------------------------------------------------------------ names
    def qualified_name(self, meta, children):
        return ast.QualifiedName(parts=tuple(children), span=span_of(meta))

    def plain_ident(self, meta, children):
        token = children[0]
        if is_reserved(token):
            raise QsqlSyntaxError(
                f"'{token}' is a reserved word in Flink SQL and cannot be a name unless quoted: write `{token}`",
                span_of(token),
            )
        return ast.Identifier(name=str(token), span=span_of(token))

    def quoted_ident(self, meta, children):
        token = children[0]
        return ast.Identifier(name=token[1:-1].replace("``", "`"), quoted=True, span=span_of(token))


def small_integer(text: str, span: Span) -> int:
    """An INTEGER token that sizes something (a type parameter, LIMIT). Python refuses to
    convert more than 4,300 digits; anything near that is no size, so say so cleanly."""
    if len(text.lstrip("0")) > 1000:
        raise QsqlSyntaxError(f"integer {shorten(text)} is too large", span)
    return int(text)


_UNICODE_STRING = re.compile(r"u&'((?:[^']|'')*)'(?:\s*uescape\s*'([^'])')?", re.IGNORECASE)


def decode_unicode_escapes(body: str, escape: str) -> str:
    """The body of U&'...' as Calcite (and so Flink 2.3) reads it: the escape and exactly four
    characters that Java's ``Integer.parseInt(s, 16)`` takes (a sign is allowed), one UTF-16 unit
    each, so ``\\+01F600`` is U+001F followed by ``600`` and ``\\-041`` is U+FFBF; ``\\\\`` is the
    escape itself; a surrogate pair (``\\D83D\\DE00``) is one character."""
    out: list[str] = []
    i = 0
    while i < len(body):
        char = body[i]
        if char != escape:
            out.append(char)
            i += 1
            continue
        if body[i + 1 : i + 2] == escape:
            out.append(escape)
            i += 2
        elif (unit := _java_hex(body[i + 1 : i + 5])) is not None:
            out.append(chr(unit & 0xFFFF))  # Java's (char) cast
            i += 5
        else:
            raise ValueError(f"Unicode escape sequence starting at character {i} is not exactly four hex digits")
    text = "".join(out)
    try:  # a UTF-16 surrogate pair (\\D83D\\DE00) is one character, as in Java
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
    except UnicodeDecodeError:
        raise ValueError("U&'...' holds a lone UTF-16 surrogate") from None


def _java_hex(text: str) -> int | None:
    """Java's Integer.parseInt(text, 16) of four characters, or None where it would fail."""
    if len(text) != 4:
        return None
    digits = text[1:] if text[0] in "+-" else text
    if not digits or not all(c in "0123456789abcdefABCDEF" for c in digits):
        return None
    value = int(digits, 16)
    return -value if text[0] == "-" else value


def number_literal(text: str, span: Span) -> ast.Literal:
    """Flink's literal types: 42 is INT (BIGINT or DECIMAL when larger), 2.50 is
    DECIMAL(3, 2), 1e3 is DOUBLE."""
    if "e" in text or "E" in text:
        return ast.Literal(value=float(text), dtype=T.DOUBLE.with_nullable(False), text=text, span=span)
    if "." in text:
        value = Decimal(text)
        parts = value.as_tuple()
        scale = -int(parts.exponent)
        precision = max(len(parts.digits), scale, 1)
        if precision > T.MAX_DECIMAL_PRECISION:
            raise QsqlSyntaxError(f"numeric literal {shorten(text)} has more than 38 digits", span)
        return ast.Literal(value=value, dtype=T.decimal(precision, scale).with_nullable(False), text=text, span=span)
    if len(text.lstrip("0")) > T.MAX_DECIMAL_PRECISION:
        raise QsqlSyntaxError(f"numeric literal {shorten(text)} is out of range", span)
    number = int(text)
    digits = text.lstrip("-").lstrip("0")
    if -(2**31) <= number <= 2**31 - 1:
        dtype = T.INT
    elif -(2**63) <= number <= 2**63 - 1:
        dtype = T.BIGINT
    elif len(digits) <= T.MAX_DECIMAL_PRECISION:
        dtype = T.decimal(len(digits), 0)
        return ast.Literal(value=Decimal(number), dtype=dtype.with_nullable(False), text=text, span=span)
    else:
        raise QsqlSyntaxError(f"numeric literal {shorten(text)} is out of range", span)
    return ast.Literal(value=number, dtype=dtype.with_nullable(False), text=text, span=span)


def _build_ml_predict(args: list[_PredictArg], span: Span) -> ast.MLPredict:
    """Accept Flink's positional form and its named form (INPUT =>, MODEL =>, ARGS =>, CONFIG =>)."""
    expected_names = {"table": "INPUT", "model": "MODEL", "descriptor": "ARGS", "config": "CONFIG"}
    by_kind: dict[str, _PredictArg] = {}
    for position, arg in enumerate(args):
        if arg.name is not None and arg.name.name.upper() != expected_names[arg.kind]:
            raise QsqlSyntaxError(
                f"ML_PREDICT argument '{arg.name.name}' should be named {expected_names[arg.kind]}", arg.name.span
            )
        if arg.name is None:
            order = ["table", "model", "descriptor", "config"]
            if position >= len(order) or order[position] != arg.kind:
                raise QsqlSyntaxError(
                    "ML_PREDICT takes (TABLE t, MODEL m, DESCRIPTOR(col, ...)[, MAP['key', 'value', ...]]) in this order",
                    arg.span,
                )
        if arg.kind in by_kind:
            raise QsqlSyntaxError(f"ML_PREDICT has two {expected_names[arg.kind]} arguments", arg.span)
        by_kind[arg.kind] = arg
    for kind in ("table", "model", "descriptor"):
        if kind not in by_kind:
            raise QsqlSyntaxError(
                f"ML_PREDICT is missing its {expected_names[kind]} argument "
                "(ML_PREDICT(TABLE t, MODEL m, DESCRIPTOR(col)))",
                span,
            )
    config = by_kind.get("config")
    return ast.MLPredict(
        table=by_kind["table"].value,
        model=by_kind["model"].value,
        descriptor=by_kind["descriptor"].value,
        config=config.value if config else None,
        named=any(arg.name is not None for arg in args),
        span=span,
    )


# ---------------------------------------------------------------------- hints
_HINT_ITEM = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*(\((?:'(?:[^']|'')*'|[^()'])*\))?\s*,?")
_OPTION = re.compile(r"\s*('(?:[^']|'')*')\s*=\s*('(?:[^']|'')*')\s*,?")
# Flink's query hints (join strategies, lookup, state TTL): accepted; qsql picks its own plan.
QUERY_HINTS = frozenset({"BROADCAST", "SHUFFLE_HASH", "SHUFFLE_MERGE", "NEST_LOOP", "LOOKUP", "STATE_TTL"})


def _hints(token: Token) -> list[tuple[str, str]]:
    """``/*+ A(x), B('k' = 'v') */`` -> [("A", "x"), ("B", "'k' = 'v'")]."""
    body = str(token)[3:-2]
    found: list[tuple[str, str]] = []
    position = 0
    while position < len(body) and body[position:].strip():
        match = _HINT_ITEM.match(body, position)
        if match is None or match.end() == position:
            raise QsqlSyntaxError(f"cannot read the hint {str(token)}", span_of(token))
        found.append((match.group(1).upper(), (match.group(2) or "()")[1:-1]))
        position = match.end()
    return found


def table_hint_options(token: Token) -> tuple[ast.OptionItem, ...]:
    """A table hint: only OPTIONS('k' = 'v', ...), Flink's dynamic table options."""
    items: list[ast.OptionItem] = []
    span = span_of(token)
    for name, arguments in _hints(token):
        if name != "OPTIONS":
            raise QsqlSyntaxError(f"unknown table hint {name}: a table takes OPTIONS('key' = 'value', ...)", span)
        position = 0
        while arguments[position:].strip():
            match = _OPTION.match(arguments, position)
            if match is None or match.end() == position:
                raise QsqlSyntaxError("OPTIONS hint needs 'key' = 'value' pairs", span)
            items.append(
                ast.OptionItem(
                    key=unquote_string(match.group(1)), value=unquote_string(match.group(2)), value_span=span, span=span
                )
            )
            position = match.end()
    return tuple(items)


def query_hint_names(token: Token | None) -> tuple[str, ...]:
    if token is None:
        return ()
    names = []
    for name, _arguments in _hints(token):
        if name not in QUERY_HINTS:
            raise QsqlSyntaxError(
                f"Hint: {name} should be registered in the HintStrategyTable",
                span_of(token),
                hint="Flink's query hints: " + ", ".join(sorted(QUERY_HINTS)),
            )
        names.append(name)
    return tuple(names)
