"""Messages a Python source builds for a reader outside gettext.

A message reaches a page through a few doors: ``flash``, a service's ``ValidationFailed`` (and the
form validators' errors), a form flow's ``success=`` / ``invalid=``, a validator's ``message=``,
an ``errors[...]`` list, an import's row problem. There it must be a gettext call with named
placeholders (``_("At most %(n)s characters.", n=MAX)``): an f-string, a "+" or "%"
concatenation or ``str.format`` is never found in a catalogue, and a plain sentence is never
extracted into one. Whatever sits inside a gettext call (its placeholders' values) is left alone.
"""

from __future__ import annotations

import ast
import re

# Calls whose arguments are messages for a reader.
MESSAGE_CALLS = frozenset(
    {
        "flash",
        "ValidationFailed",
        "StorageFailed",
        "ValidationError",
        "StopValidation",
        "UnusableInput",
        "RowError",
        "Problem",
        "reject",
    }
)
# Keyword arguments that are messages, in any call.
MESSAGE_KEYWORDS = frozenset({"success", "invalid", "message"})
# Keyword arguments that are messages of a form field (``StringField(description=...)``).
FIELD_KEYWORDS = frozenset({"label", "description"})
GETTEXT = frozenset({"_", "gettext", "ngettext", "lazy_gettext", "_l", "N_", "translate"})
_LETTER = re.compile(r"[^\W\d_]")


def _name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""


def _is_text(node: ast.AST) -> bool:
    return (isinstance(node, ast.Constant) and isinstance(node.value, str)) or isinstance(
        node, ast.JoinedStr
    )


def _built(node: ast.AST) -> list[ast.AST]:
    """The pieces of ``node`` that build or hold text outside a gettext call."""
    found: list[ast.AST] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, ast.Call) and _name(item) in GETTEXT:
            continue  # a marked message; its placeholders' values are not messages
        if isinstance(item, ast.JoinedStr):
            literal = "".join(
                v.value
                for v in item.values
                if isinstance(v, ast.Constant) and isinstance(v.value, str)
            )
            if _LETTER.search(literal):
                found.append(item)
            continue
        if (
            isinstance(item, ast.BinOp)
            and isinstance(item.op, ast.Add | ast.Mod)
            and (_is_text(item.left) or _is_text(item.right))
        ):
            found.append(item)
            continue
        if (
            isinstance(item, ast.Call)
            and isinstance(item.func, ast.Attribute)
            and item.func.attr == "format"
            and _is_text(item.func.value)
        ):
            found.append(item)
            continue
        if (
            isinstance(item, ast.Constant)
            and isinstance(item.value, str)
            and " " in item.value.strip()
            and _LETTER.search(item.value)
        ):
            found.append(item)  # a sentence no catalogue will hold
            continue
        stack.extend(ast.iter_child_nodes(item))
    return found


def _messages(tree: ast.AST) -> list[ast.AST]:
    """The expressions of ``tree`` that are messages for a reader."""
    messages: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _name(node)
            if name in MESSAGE_CALLS:
                messages.extend(node.args)
                messages.extend(k.value for k in node.keywords)
                continue
            for keyword in node.keywords:
                if keyword.arg in MESSAGE_KEYWORDS or (
                    keyword.arg in FIELD_KEYWORDS and name.endswith("Field")
                ):
                    messages.append(keyword.value)
            if (
                name == "append"
                and isinstance(node.func, ast.Attribute)
                and "error" in ast.unparse(node.func.value).lower()
            ):
                messages.extend(node.args)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if (
                    isinstance(target, ast.Subscript)
                    and isinstance(target.value, ast.Name)
                    and "error" in target.value.id.lower()
                ):
                    messages.append(node.value)
    return messages


def built_messages(source: str) -> list[tuple[int, str]]:
    """(line, source) of each message ``source`` builds or writes outside gettext."""
    tree = ast.parse(source)
    found = {
        (piece.lineno, ast.get_source_segment(source, piece) or ast.unparse(piece))
        for message in _messages(tree)
        for piece in _built(message)
    }
    return sorted(found)
