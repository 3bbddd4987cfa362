"""The rule catalogue: the single source of codes, names, severities, messages and explanations.

Everything a user reads about a rule comes from here: `tfscope-lint rules`, `explain`, the
SARIF rule descriptors, the README table and the text of each finding. The analysis only
chooses a code and supplies the facts (`variable`, `scope`, ...) that fill the message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: str
    summary: str
    message: str  # str.format template over the facts the analysis supplies
    explanation: str = ""
    bad_example: str = ""
    good_example: str = ""
    hint: str = ""  # the usual fix, one sentence


_RULES: List[Rule] = [
    Rule(
        "TFS001", "syntax-error", ERROR,
        "The file does not parse as Python 3, so nothing in it can be checked.",
        "{detail}",
        hint="Fix the syntax (Python 2 code needs porting: print(), except X as e, no backticks).",
    ),
    Rule(
        "TFS101", "duplicate-variable", ERROR,
        "Two different creation sites produce the same full variable name in a scope that does not reuse.",
        "Variable '{variable}' already exists, disallowed: it was first created at {first}, and this "
        "second creation site runs in scope '{scope}', which does not reuse",
        hint="Give one of the two a different name or scope, or open the second scope with reuse=True if sharing was meant.",
    ),
    Rule(
        "TFS102", "missing-reuse", ERROR,
        "A creation site or builder runs again, or fetches an existing variable by name, in a scope that does not reuse.",
        "Variable '{variable}' already exists, disallowed: {why}, in scope '{scope}', which does not reuse",
        hint="Open the scope with reuse=True (or reuse=tf.AUTO_REUSE) on the second run, e.g. reuse=(i > 0) in a loop.",
    ),
    Rule(
        "TFS103", "undefined-reuse", ERROR,
        "A reusing scope looks up a variable that was never created with get_variable.",
        "Variable '{variable}' does not exist: scope '{scope}' reuses ({reuse_reason}), so get_variable only fetches, "
        "and no variable of that name was created before",
        hint="Create the variable first (build once without reuse), or use reuse=tf.AUTO_REUSE where creation is meant.",
    ),
    Rule(
        "TFS104", "cross-scope-reuse", ERROR,
        "A reusing scope looks up a variable that exists only under another scope.",
        "Variable '{variable}' does not exist: scope '{scope}' reuses ({reuse_reason}), but '{short}' was created as "
        "'{existing}', under another scope",
        hint="Re-enter the scope that owns the variable (or its captured VariableScope object) with reuse=True, or use "
        "tf.AUTO_REUSE if a new variable was meant.",
    ),
    Rule(
        "TFS105", "shape-mismatch", ERROR,
        "A variable is shared with a shape incompatible with the shape it was created with.",
        "Trying to share variable '{variable}' with shape {shape}, but it was created with shape {found}",
        hint="Use the same shape as the first creation, or a different name for a different variable.",
    ),
    Rule(
        "TFS106", "dtype-mismatch", ERROR,
        "A variable is shared with another dtype, or a constant initializer disagrees with dtype=.",
        "{detail}",
        hint="Use one dtype for every use of the variable (cast the input, or set dtype= consistently).",
    ),
    Rule(
        "TFS107", "undefined-shape", ERROR,
        "A new variable gets neither a shape nor an initializer that determines one.",
        "Variable '{variable}' is created with no shape and no initializer that gives one",
        hint="Pass shape=[...], or a value initializer (a tensor or array) that carries its own shape.",
    ),
    Rule(
        "TFS108", "constant-initializer-shape", ERROR,
        "A constant initializer (tensor, list, number, array) is given together with shape=.",
        "Variable '{variable}' gets a constant initializer together with shape=: TensorFlow raises "
        "'If initializer is a constant, do not specify shape.'",
        hint="Drop shape= (the constant gives it), or wrap the value in tf.constant_initializer(...).",
    ),
    Rule(
        "TFS109", "invalid-reuse-argument", ERROR,
        "reuse is passed where TensorFlow rejects it: to get_variable, without a scope name, or as a non-bool value.",
        "{detail}",
        hint="Set reuse on a named variable_scope (reuse=True, False, None or tf.AUTO_REUSE).",
    ),
    Rule(
        "TFS201", "variable-in-reused-builder", WARNING,
        "tf.Variable inside a builder that runs again under reuse silently makes a second variable.",
        "tf.Variable ignores reuse: this builder runs again in reusing scope '{scope}', and each run makes a new "
        "variable '{variable}' instead of sharing it",
        hint="Use tf.get_variable so that the reusing run fetches the existing variable.",
    ),
    Rule(
        "TFS202", "ineffective-reuse-false", WARNING,
        "reuse=False inside a scope that already reuses has no effect.",
        "reuse=False has no effect here: the enclosing scope '{parent}' already reuses ({reuse_reason}), and a "
        "sub-scope cannot switch reuse off",
        hint="Open this part of the model outside the reusing scope, or drop reuse=False.",
    ),
]

RULES: Dict[str, Rule] = {rule.code: rule for rule in _RULES}

# Notes attached to related locations, by kind: also text a user reads.
RELATED = {
    "first_created": "'{variable}' was first created here",
    "reuse_on": "reuse was switched on here",
    "reuse_leak": "reuse_variables() on the root scope here makes every later get_variable in this graph fetch-only",
    "call": "called from here",
    "existing": "'{existing}' was created here",
}


def rule(code: str) -> Rule:
    return RULES[code]


def render_message(code: str, **facts: object) -> str:
    return RULES[code].message.format(**facts)


def render_related(kind: str, **facts: object) -> str:
    return RELATED[kind].format(**facts)
