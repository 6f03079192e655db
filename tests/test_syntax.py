"""The expression language's syntax (SPEC section 1): Python precedence,
brackets, separators, comments, tuples, spans, syntax errors and their
rendering, and robustness against garbage input."""
from __future__ import annotations

import pytest

import shapeinfer
from shapeinfer import ShapeError, ShapeSyntaxError
from shapeinfer import syntax as ast
from shapeinfer.symbols import size_symbols
from shapeinfer.syntax import parse

SIZES = {"a": 2, "b": 3, "c": 4, "n": 5}


def infer_str(text: str, sizes=None) -> str:
    """The answer, with ``sizes`` for the symbols ``text`` uses (infer
    refuses a size the program does not use)."""
    if sizes:
        used = size_symbols(parse(text))
        sizes = {k: v for k, v in sizes.items() if k in used}
    return str(shapeinfer.infer(text, sizes=sizes))


# ---------------------------------------------------------------- Python precedence

def test_lambda_inside_call_arguments_ends_at_the_comma():
    call = parse("f(lambda x: x, 1)").expr
    assert isinstance(call, ast.Call)
    assert len(call.args) == 2
    assert isinstance(call.args[0], ast.Lambda) and call.args[0].body == ast.Name("x", span=(0, 0))
    assert call.args[1] == ast.Int(1, span=(0, 0))
    # and so vmap gets in_axes=1, not a lambda returning the tuple (x, 1)
    assert infer_str("vmap(lambda x: x, 1)((a, b))") == "(b, a)"


def test_parenthesised_lambda_is_applied():
    call = parse("(lambda x: x)((a,))").expr
    assert isinstance(call, ast.Call) and isinstance(call.func, ast.Lambda)
    assert infer_str("(lambda x: x)((a,))") == "(a,)"


def test_lambda_body_extends_as_far_as_possible():
    lam = parse("lambda x: x + (a,)").expr
    assert isinstance(lam, ast.Lambda) and isinstance(lam.body, ast.BinOp)


def test_multiplication_binds_tighter_than_addition():
    expr = parse("a + b * c").expr
    assert isinstance(expr, ast.BinOp) and expr.op == "+"
    assert isinstance(expr.right, ast.BinOp) and expr.right.op == "*"
    assert infer_str("(a + b * c,)") == "(a + b*c,)"
    assert infer_str("(a + b * c,)", SIZES) == "(14,)"
    assert infer_str("((a + b) * c,)", SIZES) == "(20,)"


@pytest.mark.parametrize("text, value", [
    ("(a - b - c + 10,)", 5),          # left associative
    ("(2 * n // 3,)", 3),              # (2 * n) // 3
    ("(n % 3 * 2,)", 4),               # (n % 3) * 2
    ("(-a * b + 2 * a * b,)", 6),      # unary minus binds tighter than *
    ("(max(a, b) * 2 - min(c, n),)", 2),
])
def test_dimension_arithmetic_follows_python(text, value):
    assert infer_str(text, SIZES) == f"({value},)"


def test_calls_chain_left_to_right():
    expr = parse("f(a)(b)").expr
    assert isinstance(expr, ast.Call) and isinstance(expr.func, ast.Call)
    assert infer_str("vmap(sin)((a, b))") == "(a, b)"


def test_dotted_names_are_attribute_chains():
    expr = parse("jax.numpy.add").expr
    assert isinstance(expr, ast.Attribute) and expr.attr == "add"
    assert isinstance(expr.value, ast.Attribute) and expr.value.attr == "numpy"


# ---------------------------------------------------------------- layout

def test_newlines_are_free_inside_brackets():
    text = "vmap(\n    add,\n    (0,\n     None),\n    1,\n)(\n    (a, b),\n    (b,)\n)"
    assert infer_str(text) == "(b, a)"
    assert infer_str('{\n "w": (a,\n b),\n}') == "{'w': (a, b)}"
    assert infer_str("[\n(a,),\n\n(b,)\n]") == "[(a,), (b,)]"


@pytest.mark.parametrize("text", [
    "x = (a,); y = (b, 1); add(x, y)",
    "x = (a,)\ny = (b, 1)\nadd(x, y)",
    "x = (a,);\ny = (b, 1);\nadd(x, y)",
    "\n\nx = (a,)\n\n\ny = (b, 1)\n\nadd(x, y)\n\n",
    "x = (a,);; y = (b, 1);;add(x, y);",
    "x = (a,)\r\ny = (b, 1)\r\nadd(x, y)",
])
def test_statement_separators(text):
    assert infer_str(text) == "(b, a)"


def test_newline_without_brackets_ends_a_statement():
    with pytest.raises(ShapeSyntaxError):
        shapeinfer.infer("x = add((a,),\n(a,)) y = x")
    with pytest.raises(ShapeSyntaxError):
        shapeinfer.infer("x = (a,) y = (b,)")


def test_later_bindings_shadow_earlier_ones():
    assert infer_str("x = (a,); x = (b, c); x") == "(b, c)"


@pytest.mark.parametrize("text", [
    "# leading comment\nsin((a,))",
    "sin((a,))  # trailing comment",
    "sin(  # inside brackets\n  (a,)  # still inside\n)",
    "x = (a,)  # bind\n# a whole-line comment\nsin(x)",
])
def test_comments(text):
    assert infer_str(text) == "(a,)"


def test_a_program_that_is_only_a_comment_is_a_syntax_error():
    with pytest.raises(ShapeSyntaxError):
        shapeinfer.infer("# nothing here")


# ---------------------------------------------------------------- tuples

@pytest.mark.parametrize("text, expected", [
    ("(a,)", "(a,)"),                  # a 1-tuple: a shape
    ("(2)", "()"),                     # parentheses only: the number 2, a scalar
    ("sin((a,))", "(a,)"),
    ("sin((2))", "()"),
    ("((a, b))", "(a, b)"),            # redundant parentheses
    ("((a, b),)", "((a, b),)"),        # a 1-tuple holding an array
    ("(((a,)),)", "((a,),)"),
    ("()", "()"),
    ("((),)", "((),)"),
])
def test_one_tuples_versus_parentheses(text, expected):
    assert infer_str(text) == expected


def test_parenthesised_expression_has_no_tuple_node():
    assert isinstance(parse("(a)").expr, ast.Name)
    one = parse("(a,)").expr
    assert isinstance(one, ast.TupleExpr) and len(one.items) == 1


@pytest.mark.parametrize("text, expected", [
    ("(a, b,)", "(a, b)"),
    ("[(a,), (b,),]", "[(a,), (b,)]"),
    ('{"k": (a,),}', "{'k': (a,)}"),
    ("add((a,), (a,),)", "(a,)"),
    ("vmap(add, (0, None,),)((a, b), (b,),)", "(a, b)"),
    ("vmap(sin, in_axes=1,)((a, b))", "(b, a)"),
    ("f32[a, b,]", "(a, b)"),
])
def test_trailing_commas(text, expected):
    assert infer_str(text) == expected


# ---------------------------------------------------------------- spans

def test_spans_of_nodes():
    text = "x = (a,)\nvmap(add, (0, None), axis_size=5)(x, lambda y: y)"
    program = parse(text)

    def at(node):
        return text[slice(*node.span)]

    (stmt,) = program.statements
    assert at(stmt) == "x = (a,)"
    assert at(stmt.value) == "(a,)"
    call = program.expr
    assert at(call) == "vmap(add, (0, None), axis_size=5)(x, lambda y: y)"
    assert at(call.func) == "vmap(add, (0, None), axis_size=5)"
    assert at(call.func.func) == "vmap"
    assert [at(a) for a in call.func.args] == ["add", "(0, None)"]
    assert at(call.func.args[1].items[1]) == "None"
    (kw,) = call.func.keywords
    assert kw.name == "axis_size" and at(kw) == "axis_size=5" and at(kw.value) == "5"
    assert [at(a) for a in call.args] == ["x", "lambda y: y"]
    assert at(call.args[1].body) == "y"


def test_spans_of_operators_and_subscripts():
    text = "lambda x: -x + f32[a, 2] * x.T"
    body = parse(text).expr.body

    def at(node):
        return text[slice(*node.span)]

    assert at(body) == "-x + f32[a, 2] * x.T"
    assert at(body.left) == "-x"
    assert at(body.right) == "f32[a, 2] * x.T"
    assert at(body.right.left) == "f32[a, 2]"
    assert at(body.right.right) == "x.T"


def test_a_bracketed_child_stretches_its_parent_to_the_brackets():
    """``(expr)`` is no node, but its brackets belong to the parent's span
    (the parser keeps each bracketed extent aside while building)."""
    text = "x = ((a)) \n(a + b) * (c)[0]"
    program = parse(text)

    def at(node):
        return text[slice(*node.span)]

    (stmt,) = program.statements
    assert at(stmt) == "x = ((a))" and at(stmt.value) == "a"
    product = program.expr
    assert at(product) == "(a + b) * (c)[0]"
    assert at(product.left) == "a + b"
    assert at(product.right) == "(c)[0]" and at(product.right.value) == "c"
    assert at(program) == text


def test_a_syntax_error_is_reported_before_an_earlier_duplicate_name():
    """Nodes are built during the parse; an error found while building one
    waits until the whole text has parsed, so the syntax error comes first."""
    with pytest.raises(ShapeSyntaxError, match="unexpected '[)]'"):
        parse("lambda x, x: x )")
    with pytest.raises(ShapeSyntaxError, match="duplicate argument") as e:
        parse("(lambda x, x: x)(f(a=1, a=2))")
    assert e.value.span == (11, 12)  # the first of two errors, in source order


@pytest.mark.parametrize("text, span", [('"\\N"', (0, 4)), ('f(1, "a\\x4")', (5, 11))])
def test_a_string_with_a_bad_escape_is_a_syntax_error(text, span):
    """Regression: Python's own SyntaxError escaped from the parser (code
    ``internal`` on the command line)."""
    with pytest.raises(ShapeSyntaxError, match="invalid string literal") as e:
        parse(text)
    assert (e.value.code, e.value.span) == ("syntax", span)
    with pytest.raises(SyntaxError):
        compile(text, "<text>", "eval")  # Python refuses it too


@pytest.mark.parametrize("minuses, deep_enough", [(ast.MAX_DEPTH - 2, False),
                                                  (ast.MAX_DEPTH - 1, True)])
def test_a_tree_is_at_most_one_deeper_than_its_text_is_long(minuses, deep_enough):
    """parse skips the depth walk for a text shorter than MAX_DEPTH, as every
    node below the Program has a token of its own; ``-...-a`` is the
    tightest case: len(text) + 1 levels."""
    text = "-" * minuses + "a"
    if deep_enough:
        with pytest.raises(ShapeSyntaxError, match="levels deep"):
            parse(text)
    else:
        depth, node = 1, parse(text)
        while not isinstance(node, ast.Name):
            node, depth = next(ast.children(node)), depth + 1
        assert depth == len(text) + 1 == ast.MAX_DEPTH


def test_every_node_span_lies_inside_the_text():
    text = "f = vmap(lambda x, y: x * y + 1, (0, None))\nf({'k': (b, n)}, [(n,), f32[]])"
    for node in ast.walk(parse(text)):
        start, end = node.span
        assert 0 <= start <= end <= len(text), node


# ---------------------------------------------------------------- syntax errors

SYNTAX_ERRORS = [
    pytest.param("add((a,)", 8, id="unclosed paren at end"),
    pytest.param("vmap(add,, 0)", 9, id="double comma"),
    pytest.param("(a b)", 3, id="missing comma"),
    pytest.param("a $ b", 2, id="bad character"),
    pytest.param("f(x=1, (a,))", 7, id="positional after keyword"),
    pytest.param("x = (a,)\nadd(x,, x)", 15, id="error on line 2"),
    pytest.param("x = (a,)\n\n\n   sin(x))", 20, id="extra close paren on line 4"),
    pytest.param("lambda x (a,)", 9, id="lambda without colon"),
    pytest.param(")", 0, id="lone close paren"),
    pytest.param("(a, b]", 5, id="mismatched bracket"),
    pytest.param("a if b else c", 2, id="conditional expression"),
    pytest.param("(2 < 3 < 4,)", 7, id="chained comparison"),
    pytest.param("", 0, id="empty input"),
    pytest.param("sin((a,)) cos((b,))", 10, id="two expressions"),
    # Python's compile-time errors: JAX never sees these programs.
    pytest.param("vmap(sin, in_axes=0, in_axes=1)((a,))", 21, id="repeated keyword"),
    pytest.param("(lambda x, x: x)((a,), (a,))", 11, id="duplicate lambda parameter"),
]


@pytest.mark.parametrize("text, column", SYNTAX_ERRORS)
def test_syntax_error(text, column):
    with pytest.raises(ShapeSyntaxError) as info:
        shapeinfer.infer(text)
    e = info.value
    assert isinstance(e, ShapeError)
    # text without an expression has its own code (tests/test_api.py)
    assert (e.code, e.exception) == ("empty" if not text else "syntax", "SyntaxError")
    assert e.message
    assert e.span is not None
    assert e.span[0] == column, (e.span, e.message)
    assert 0 <= e.span[0] <= e.span[1] <= len(text)
    # JAX never sees text that does not parse: the checker refuses it the same way.
    with pytest.raises(ShapeSyntaxError):
        shapeinfer.check(text, samples=2)


def _caret_column(text: str, rendered: str) -> tuple[str, int]:
    """The source line shown by ``render`` and the text column of its first caret."""
    *_, shown, carets = rendered.splitlines()
    first = carets.index("^")
    for line in text.splitlines() or [""]:
        if shown.endswith(line) and len(shown) - len(line) <= first:
            return line, first - (len(shown) - len(line))
    raise AssertionError(f"the rendered line {shown!r} is not a line of the text")


@pytest.mark.parametrize("text, column", [
    p for p in SYNTAX_ERRORS if p.values[0].strip()
])
def test_render_puts_a_caret_under_the_offending_column(text, column):
    with pytest.raises(ShapeSyntaxError) as info:
        shapeinfer.infer(text)
    rendered = info.value.render(text)
    assert rendered.splitlines()[0] == f"SyntaxError: {info.value.message}"
    line, col = _caret_column(text, rendered)
    line_start = text.rfind("\n", 0, column) + 1
    assert line == text[line_start:].split("\n")[0].rstrip("\r")
    assert col == column - line_start


def test_render_of_a_shape_error_underlines_the_whole_span():
    text = "x = (2,)\ny = (3,)\nadd(x, y)"
    with pytest.raises(ShapeError) as info:
        shapeinfer.infer(text)
    e = info.value
    assert e.code == "broadcast" and text[slice(*e.span)] == "add"
    lines = e.render(text).splitlines()
    assert lines[0].startswith("TypeError: ")
    assert lines[1].endswith("add(x, y)")
    assert "3" in lines[1].split("|")[0]  # the line number of a multi-line program
    assert lines[2].strip() == "^^^"
    assert lines[2].index("^") == lines[1].index("add(x, y)")


def test_render_single_line():
    text = "vmap(add, (None, 1), 0)((2,3,5,7,9), (2,3,5,7,9))"
    with pytest.raises(ShapeError) as info:
        shapeinfer.infer(text)
    lines = info.value.render(text).splitlines()
    assert lines[1].endswith(text)
    assert lines[2].index("^") == lines[1].index(text) + text.index("add")
    assert lines[2].count("^") == 3


@pytest.mark.parametrize("text, blame", [
    ("vmap(sin, in_axes=0, in_axes=1)((a,))", "in_axes=1"),
    ("(lambda x, x: x)((a,), (a,))", "x"),
])
def test_python_compile_errors_are_syntax_errors(text, blame):
    # Python rejects these before running anything: SyntaxError, not a shape error.
    with pytest.raises(ShapeError) as info:
        shapeinfer.infer(text)
    e = info.value
    assert (e.code, e.exception) == ("syntax", "SyntaxError")
    assert text[slice(*e.span)] == blame


@pytest.mark.parametrize("text", [
    "vmap(sin, in_axes=0, in_axes=1)((a,))",
    "(lambda x, x: x)((a,), (a,))",
])
def test_python_compile_errors_raise_shape_syntax_error(text):
    with pytest.raises(ShapeSyntaxError):
        shapeinfer.infer(text)


# ---------------------------------------------------------------- garbage never crashes

GARBAGE = [
    pytest.param("", id="empty"),
    pytest.param("   \t  ", id="blanks"),
    pytest.param("\n\n\n", id="newlines"),
    pytest.param(";;", id="semicolons"),
    pytest.param("(", id="open paren"),
    pytest.param("))", id="close parens"),
    pytest.param("[(])", id="crossed brackets"),
    pytest.param("{]", id="brace bracket"),
    pytest.param("(a,", id="unclosed tuple"),
    pytest.param("vmap(add,)(", id="unclosed call"),
    pytest.param(",,", id="commas"),
    pytest.param("==", id="equals"),
    pytest.param("x =", id="assign nothing"),
    pytest.param("lambda", id="bare lambda"),
    pytest.param("lambda x:", id="lambda no body"),
    pytest.param("...", id="ellipsis"),
    pytest.param("@@", id="at signs"),
    pytest.param("!@#$%^&*", id="punctuation"),
    pytest.param("~`|\\", id="more punctuation"),
    pytest.param("a.b.c.", id="dangling dot"),
    pytest.param(".5.5", id="floats"),
    pytest.param("0x10", id="hex"),
    pytest.param("'unterminated", id="unterminated string"),
    pytest.param("9" * 400, id="400-digit int"),
    pytest.param("(" + "9" * 400 + ", a)", id="400-digit dim"),
    pytest.param("(" + "9" * 5000 + ",)", id="5000-digit dim"),
    pytest.param("vmap(sin, " + "9" * 100 + ")((a,))", id="huge in_axes"),
    pytest.param("vmap(sin, 0, -" + "9" * 100 + ")((a,))", id="huge negative out_axes"),
    pytest.param("(" * 200 + "a" + ")" * 200, id="200 nested parens"),
    pytest.param("(" * 200 + "(a,)" + ")" * 200, id="200 nested parens around a shape"),
    pytest.param("(" * 200 + "(a,)" + ",)" * 200, id="200 nested 1-tuples"),
    pytest.param("[" * 200 + "]" * 200, id="200 nested lists"),
    pytest.param("(" * 200, id="200 open parens"),
    pytest.param("sin(" * 200 + "(a,)" + ")" * 200, id="200 nested calls"),
    pytest.param("vmap(" * 60 + "sin" + ")" * 60 + "((a,))", id="60 nested vmaps"),
    pytest.param("lambda x: " * 200 + "x", id="200 nested lambdas"),
    pytest.param("-" * 500 + "a", id="500 unary minuses"),
    pytest.param("a" + " + a" * 2000, id="2000-term sum"),
    pytest.param("(" * 1000 + "a" + ")" * 1000, id="1000 nested parens"),
    pytest.param("sin(" * 1000 + "(a,)" + ")" * 1000, id="1000 nested calls"),
    pytest.param("ä", id="latin-1 letter"),
    pytest.param("∀x", id="math symbol"),
    pytest.param("(α, β)", id="greek dims"),
    pytest.param("sin((a,))\u200b", id="zero-width space"),
    pytest.param("\x00", id="NUL"),
    pytest.param("f32[", id="open dtype"),
    pytest.param("f32[a,b]]", id="dtype extra bracket"),
    pytest.param("f32[1.5]", id="float size"),
    pytest.param("i32[-1]", id="negative size"),
    pytest.param("(0 // 0,)", id="division by zero"),
    pytest.param("(a % 0,)", id="modulo by zero"),
    pytest.param("f32[a][b]", id="indexing an array literal"),
    pytest.param("{(a,): 1}", id="tuple dict key"),
    pytest.param("max(a)", id="max of one"),
    pytest.param("sin", id="a function"),
    pytest.param("jax.numpy", id="a module"),
    pytest.param("add.x", id="attribute of an op"),
    pytest.param("(a,).T", id="T of a tuple"),
    pytest.param("assume a == b; (a,)", id="assume"),
    pytest.param("vmap(vmap)(sin)", id="vmap of vmap"),
    pytest.param("jit(3)((a,))", id="jit of an int"),
    pytest.param("partial(3)((a,))", id="partial of an int"),
    pytest.param("vmap(sin, axis_size=(a,))((a,))", id="tuple axis_size"),
    pytest.param("vmap(sin, axis_size=sin)((a,))", id="function axis_size"),
    pytest.param("x = x; x", id="self reference"),
    pytest.param("f = lambda x: f(x); f((a,))", id="recursive lambda"),
    pytest.param("None((a,))", id="call None"),
    pytest.param('"s"((a,))', id="call a string"),
    pytest.param("sin(sin)", id="op of an op"),
    pytest.param("add((a,), lambda x: x)", id="op of a lambda"),
    pytest.param("vmap(sin)(sin)", id="vmap over a function"),
    pytest.param("vmap(sin, ((((0,),),),))((a,))", id="deep in_axes"),
]


@pytest.mark.parametrize("text", GARBAGE)
def test_garbage_raises_only_shape_errors(text):
    try:
        result = shapeinfer.infer(text)
    except ShapeError as e:
        assert e.code in shapeinfer.CODES
        assert e.code != "internal", e.message
        assert isinstance(e.message, str) and e.message
        if e.span is not None:
            start, end = e.span
            assert 0 <= start <= end <= len(text)
        e.render(text)  # rendering never fails either
        return
    str(result)  # a result must print
    result.to_json()
