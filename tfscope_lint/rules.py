"""The rule catalogue: the single source of codes, names, severities, messages and explanations.

Everything a user reads about a rule comes from here: `tfscope-lint rules`, `explain`, the
SARIF rule descriptors, the README table and the text of each finding. The analysis only
chooses a code and supplies the facts (`variable`, `scope`, ...) that fill the message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional

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
    opt_in: bool = False  # off unless selected (select/extend-select), like ruff's RUF100
    checkpoint_example: str = ""  # TFS3xx: the checkpoint (a list_variables listing) both examples are compared with


_RULES: List[Rule] = [
    Rule(
        "TFS001", "syntax-error", ERROR,
        "The file does not parse as Python 3, so nothing in it can be checked.",
        "{detail}",
        explanation="""\
tfscope-lint reads your code without running it, and a file that does not parse cannot be read at
all: none of its variable scopes are checked (the other files still are). Old TensorFlow
repositories often hold Python 2 code (`print x`, `except ValueError, e:`, backticks), which
Python 3 refuses at import time, before any graph is built.\
""",
        bad_example="""\
import tensorflow as tf


def build(x):
    with tf.variable_scope("model"):
        w = tf.get_variable("w", [4, 2])
        print "building", w.name  # Python 2 print statement: SyntaxError
        return tf.matmul(x, w)
""",
        good_example="""\
import tensorflow as tf


def build(x):
    with tf.variable_scope("model"):
        w = tf.get_variable("w", [4, 2])
        print("building", w.name)
        return tf.matmul(x, w)
""",
        hint="Fix the syntax (Python 2 code needs porting: print(), except X as e, no backticks).",
    ),
    Rule(
        "TFS101", "duplicate-variable", ERROR,
        "Two different creation sites produce the same full variable name in a scope that does not reuse.",
        "Variable '{variable}' already exists, disallowed: it was first created at {first}, and this "
        "second creation site runs in scope '{scope}', which does not reuse",
        explanation="""\
TensorFlow keeps one table of the variables made by `tf.get_variable`, keyed by full name: the
variable scope path plus the local name. In a scope that does not reuse, every `get_variable`
must create a new variable, and a name already in the table raises `ValueError: Variable
encoder/w already exists, disallowed. Did you mean to set reuse=True or reuse=tf.AUTO_REUSE in
VarScope?`. Here two different lines produce the same full name: usually a copied layer whose
name was not changed, or two layers that differ only by a `tf.name_scope`, which `get_variable`
ignores. The graph cannot be built past this line.\
""",
        bad_example="""\
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 784])
with tf.variable_scope("encoder"):
    w = tf.get_variable("w", [784, 256])
    h = tf.nn.relu(tf.matmul(x, w))
    w = tf.get_variable("w", [256, 64])  # ValueError: Variable encoder/w already exists, disallowed
    z = tf.matmul(h, w)
""",
        good_example="""\
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 784])
with tf.variable_scope("encoder"):
    with tf.variable_scope("layer1"):
        w = tf.get_variable("w", [784, 256])  # encoder/layer1/w
        h = tf.nn.relu(tf.matmul(x, w))
    with tf.variable_scope("layer2"):
        w = tf.get_variable("w", [256, 64])  # encoder/layer2/w
        z = tf.matmul(h, w)
""",
        hint="Give one of the two a different name or scope, or open the second scope with reuse=True if sharing was meant.",
    ),
    Rule(
        "TFS102", "missing-reuse", ERROR,
        "A creation site or builder runs again, or fetches an existing variable by name, in a scope that does not reuse.",
        "Variable '{variable}' already exists, disallowed: {why}, in scope '{scope}', which does not reuse",
        explanation="""\
A function that opens `tf.variable_scope("discriminator")` and calls `tf.get_variable` (or a
named `tf.layers` / slim layer) creates its variables the first time it runs. The second run
(the fake batch of a GAN discriminator, the next tower of a multi-GPU loop, the next time step)
asks for the same names again, and unless the scope reuses, TensorFlow raises `Variable
discriminator/w already exists, disallowed` at the `get_variable` inside the function.
Re-opening the same scope string does not help: variable scope names are not made unique, so it
is the same scope, and it reuses only when told to. The same error comes from fetching an
existing variable by name (`tf.get_variable("w")`) outside a reusing scope.\
""",
        bad_example="""\
import tensorflow as tf


def discriminator(x):
    with tf.variable_scope("discriminator"):
        w = tf.get_variable("w", [784, 1])
        return tf.matmul(x, w)


real = tf.placeholder(tf.float32, [None, 784])
fake = tf.placeholder(tf.float32, [None, 784])
d_real = discriminator(real)
d_fake = discriminator(fake)  # ValueError: Variable discriminator/w already exists, disallowed
""",
        good_example="""\
import tensorflow as tf


def discriminator(x, reuse=False):
    with tf.variable_scope("discriminator", reuse=reuse):
        w = tf.get_variable("w", [784, 1])
        return tf.matmul(x, w)


real = tf.placeholder(tf.float32, [None, 784])
fake = tf.placeholder(tf.float32, [None, 784])
d_real = discriminator(real)
d_fake = discriminator(fake, reuse=True)  # shares discriminator/w
""",
        hint="Open the scope with reuse=True (or reuse=tf.AUTO_REUSE) on the second run, e.g. reuse=(i > 0) in a loop.",
    ),
    Rule(
        "TFS103", "undefined-reuse", ERROR,
        "A reusing scope looks up a variable that was never created with get_variable.",
        "Variable '{variable}' does not exist: scope '{scope}' reuses ({reuse_reason}), so get_variable only fetches, "
        "and no variable of that name was created before",
        explanation="""\
In a reusing scope (`reuse=True`, reuse inherited from an enclosing scope, or switched on by
`scope.reuse_variables()`) `get_variable` only fetches. When no variable of that full name was
created with `tf.get_variable` before, TensorFlow raises `Variable model/w does not exist, or
was not created with tf.get_variable()`. Common causes: `reuse=True` on the first construction;
a variable made with `tf.Variable`, which the variable store never sees; and
`tf.get_variable_scope().reuse_variables()` at the top level, which switches reuse on for the
rest of the graph, so that an optimizer built afterwards fails on its slot variables
(`Variable d/w/Adam/ does not exist`).\
""",
        bad_example="""\
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 10])
with tf.variable_scope("model", reuse=True):
    w = tf.get_variable("w", [10, 10])  # ValueError: Variable model/w does not exist
    y = tf.matmul(x, w)
""",
        good_example="""\
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 10])
with tf.variable_scope("model", reuse=tf.AUTO_REUSE):  # create on first use, share afterwards
    w = tf.get_variable("w", [10, 10])
    y = tf.matmul(x, w)
""",
        hint="Create the variable first (build once without reuse), or use reuse=tf.AUTO_REUSE where creation is meant.",
    ),
    Rule(
        "TFS104", "cross-scope-reuse", ERROR,
        "A reusing scope looks up a variable that exists only under another scope.",
        "Variable '{variable}' does not exist: scope '{scope}' reuses ({reuse_reason}), but '{short}' was created as "
        "'{existing}', under another scope",
        explanation="""\
As for undefined-reuse, the scope reuses and the variable is not there; but a variable with the
same short name does exist, under another scope. Scope names are full paths: `reuse=True` in
`sampler` looks for `sampler/w`, never `generator/w`. To share the variable, re-enter the scope
that owns it with `reuse=True`, by its name or through the `VariableScope` object captured with
`as` (entering a captured scope jumps to its own name wherever you are). If a new variable was
meant, use `reuse=tf.AUTO_REUSE` instead.\
""",
        bad_example="""\
import tensorflow as tf

with tf.variable_scope("generator"):
    w = tf.get_variable("w", [100, 784])

with tf.variable_scope("sampler", reuse=True):
    w_sampler = tf.get_variable("w", [100, 784])  # ValueError: Variable sampler/w does not exist
""",
        good_example="""\
import tensorflow as tf

with tf.variable_scope("generator") as generator_scope:
    w = tf.get_variable("w", [100, 784])

with tf.variable_scope(generator_scope, reuse=True):
    w_sampler = tf.get_variable("w", [100, 784])  # generator/w, the same variable
""",
        hint="Re-enter the scope that owns the variable (or its captured VariableScope object) with reuse=True, or use "
        "tf.AUTO_REUSE if a new variable was meant.",
    ),
    Rule(
        "TFS105", "shape-mismatch", ERROR,
        "A variable is shared with a shape incompatible with the shape it was created with.",
        "Trying to share variable '{variable}' with shape {shape}, but it was created with shape {found}",
        explanation="""\
When a scope reuses, `get_variable` returns the existing variable, but first checks that the
shape asked for is compatible with the shape it was created with (an unknown dimension, `None`,
is compatible with any size). An incompatible shape raises `Trying to share variable
embedding/table, but specified shape (10000, 256) and found shape (10000, 128)`;
`tf.AUTO_REUSE` does not skip the check. It usually means that two different layers ended up
with the same name, or that a shared layer is applied to an input of another depth or built
with another number of units.\
""",
        bad_example="""\
import tensorflow as tf

with tf.variable_scope("embedding"):
    table = tf.get_variable("table", [10000, 128])

with tf.variable_scope("embedding", reuse=True):
    table_eval = tf.get_variable("table", [10000, 256])  # ValueError: Trying to share variable embedding/table
""",
        good_example="""\
import tensorflow as tf

with tf.variable_scope("embedding"):
    table = tf.get_variable("table", [10000, 128])

with tf.variable_scope("embedding", reuse=True):
    table_eval = tf.get_variable("table", [10000, 128])  # or omit the shape when reusing
""",
        hint="Use the same shape as the first creation, or a different name for a different variable.",
    ),
    Rule(
        "TFS106", "dtype-mismatch", ERROR,
        "A variable is shared with another dtype, or its initializer cannot make values of dtype=.",
        "{detail}",
        explanation="""\
Sharing also checks the dtype. A variable created as int64 cannot be fetched as float32, which
is what `get_variable` asks for when `dtype=` is left out (unless the scope sets a dtype), and
TensorFlow raises `Trying to share variable counter/step, but specified dtype float32 and found
dtype int64_ref`. Layers take their dtype from their input, so a float16 input to a layer shared
with a float32 one fails the same way. A constant initializer whose own dtype differs from
`dtype=` fails too: `initializer=[1, 2]` is int32, so with `dtype=tf.float32` TensorFlow raises
`Initializer type '<dtype: 'int32'>' and explicit dtype '<dtype: 'float32'>' don't match`. And an
initializer that makes floats only (random normal, truncated normal, Glorot, variance scaling,
orthogonal, `constant_initializer(1.0)`) cannot fill an integer or bool variable: with
`dtype=tf.int32` TensorFlow raises `TypeError: Expected int32, but got 0.0 of type 'float'`.\
""",
        bad_example="""\
import tensorflow as tf

with tf.variable_scope("counter"):
    step = tf.get_variable("step", [], dtype=tf.int64, initializer=tf.zeros_initializer())

with tf.variable_scope("counter", reuse=True):
    step_again = tf.get_variable("step", [])  # float32 by default: ValueError: Trying to share variable counter/step
""",
        good_example="""\
import tensorflow as tf

with tf.variable_scope("counter"):
    step = tf.get_variable("step", [], dtype=tf.int64, initializer=tf.zeros_initializer())

with tf.variable_scope("counter", reuse=True):
    step_again = tf.get_variable("step", [], dtype=tf.int64)
""",
        hint="Use one dtype for every use of the variable (cast the input, or set dtype= consistently).",
    ),
    Rule(
        "TFS107", "undefined-shape", ERROR,
        "A new variable gets neither a shape nor an initializer that determines one.",
        "Variable '{variable}' is created {problem}",
        explanation="""\
A new variable needs a shape, from `shape=` or from a value initializer (a tensor or an array,
which carries its own shape). With neither, TensorFlow cannot make it: TF 1.15 raises `The
initializer passed is not valid...`, later versions `Variable layer/w did not get an initializer,
so its shape argument must be specified`, and older ones `Shape of a new variable (layer/w) must
be fully defined`. Often the code meant to fetch a variable that lives under another name or
scope; a shape with unknown dimensions such as `[None, 128]` has the same problem.\
""",
        bad_example="""\
import tensorflow as tf

with tf.variable_scope("layer"):
    w = tf.get_variable("w")  # ValueError: nothing says how big layer/w is
""",
        good_example="""\
import tensorflow as tf

with tf.variable_scope("layer"):
    w = tf.get_variable("w", [784, 256])
    b = tf.get_variable("b", initializer=tf.zeros([256]))  # the value gives the shape
""",
        hint="Pass shape=[...], or a value initializer (a tensor or array) that carries its own shape.",
    ),
    Rule(
        "TFS108", "constant-initializer-shape", ERROR,
        "A constant initializer (tensor, list, number, array) is given together with shape=.",
        "Variable '{variable}' gets a constant initializer together with shape=: TensorFlow raises "
        "'If initializer is a constant, do not specify shape.'",
        explanation="""\
When the initializer is a value (a tensor such as `tf.zeros([10])`, a Python number or list, a
numpy array) the variable takes the value's shape, and TensorFlow refuses a `shape=` as well:
`ValueError: If initializer is a constant, do not specify shape.`, even when the two shapes
agree, and even for `shape=[]` with a scalar. Initializer objects such as
`tf.constant_initializer(0.1)` or `tf.zeros_initializer()` are callables: they take the shape
from `shape=`.\
""",
        bad_example="""\
import tensorflow as tf

with tf.variable_scope("fc"):
    b = tf.get_variable("b", [10], initializer=tf.zeros([10]))  # ValueError: If initializer is a constant, do not specify shape.
""",
        good_example="""\
import tensorflow as tf

with tf.variable_scope("fc"):
    b = tf.get_variable("b", [10], initializer=tf.zeros_initializer())
    # or, without shape=: tf.get_variable("b", initializer=tf.zeros([10]))
""",
        hint="Drop shape= (the constant gives it), or wrap the value in tf.constant_initializer(...).",
    ),
    Rule(
        "TFS109", "invalid-reuse-argument", ERROR,
        "reuse is passed where TensorFlow rejects it: to get_variable, without a scope name, or as a non-bool value.",
        "{detail}",
        explanation="""\
Reuse belongs to the variable scope, not to a single call. `tf.get_variable` has no `reuse`
parameter (`TypeError: get_variable() got an unexpected keyword argument 'reuse'`, a mistake
several tutorials teach). `tf.variable_scope` accepts only `True`, `False`, `None` or
`tf.AUTO_REUSE` (anything else, such as `1` or a string, raises `The reuse parameter must be True
or False or None.`), and a reusing scope needs a name: `tf.variable_scope(None,
default_name="block", reuse=True)` and slim layers given `reuse=True` without `scope=` raise
`reuse=True cannot be used without a name_or_scope`.\
""",
        bad_example="""\
import tensorflow as tf

with tf.variable_scope("layer"):
    w = tf.get_variable("w", [3])
    w_again = tf.get_variable("w", [3], reuse=True)  # TypeError: unexpected keyword argument 'reuse'
""",
        good_example="""\
import tensorflow as tf

with tf.variable_scope("layer"):
    w = tf.get_variable("w", [3])

with tf.variable_scope("layer", reuse=True):
    w_again = tf.get_variable("w", [3])  # the same variable as w
""",
        hint="Set reuse on a named variable_scope (reuse=True, False, None or tf.AUTO_REUSE).",
    ),
    Rule(
        "TFS110", "variable-in-template", ERROR,
        "A template's second or later call creates a trainable tf.Variable.",
        "Template '{template}' is called again here, and its function creates a trainable tf.Variable "
        "('{variable}'): TensorFlow raises 'Trainable variable created when calling a template after the first time'",
        explanation="""\
`tf.make_template` shares variables by re-entering its scope with reuse after the first call, which
only works for variables made by `tf.get_variable` (and the layers built on it). A `tf.Variable`
ignores reuse, so the second call would make a second copy; the template checks for this and
raises `ValueError: Trainable variable created when calling a template after the first time,
perhaps you used tf.Variable when you meant tf.get_variable`. Non-trainable variables are allowed.\
""",
        bad_example="""\
import tensorflow as tf


def scale(x):
    gain = tf.Variable(tf.ones([3]), name="gain")
    return x * gain


scale_tmpl = tf.make_template("scale", scale)
a = scale_tmpl(tf.zeros([3]))
b = scale_tmpl(tf.ones([3]))  # ValueError: Trainable variable created when calling a template after the first time
""",
        good_example="""\
import tensorflow as tf


def scale(x):
    gain = tf.get_variable("gain", [3], initializer=tf.ones_initializer())
    return x * gain


scale_tmpl = tf.make_template("scale", scale)
a = scale_tmpl(tf.zeros([3]))
b = scale_tmpl(tf.ones([3]))  # the same gain
""",
        hint="Create the template's variables with tf.get_variable (or a tf.layers/slim layer), not tf.Variable.",
    ),
    Rule(
        "TFS201", "variable-in-reused-builder", WARNING,
        "tf.Variable inside a builder that runs again under reuse silently makes a second variable.",
        "tf.Variable ignores reuse: this builder runs again in reusing scope '{scope}', and each run makes a new "
        "variable '{variable}' instead of sharing it",
        explanation="""\
`tf.Variable` does not go through the variable store: it ignores reuse and makes a new variable
every time it runs, renamed to stay unique (`layer_1/b`). In a builder that runs a second time
under reuse, the `get_variable` calls share their variables, but each `tf.Variable` silently
gets a twin: the second tower, the evaluation graph or the next time step trains or reads its
own separately initialised copy. Nothing fails; the model is just wrong.\
""",
        bad_example="""\
import tensorflow as tf


def layer(x, reuse=False):
    with tf.variable_scope("layer", reuse=reuse):
        w = tf.get_variable("w", [4, 4])
        b = tf.Variable(tf.zeros([4]), name="b")  # a new b on every call
        return tf.matmul(x, w) + b


x_train = tf.placeholder(tf.float32, [None, 4])
x_eval = tf.placeholder(tf.float32, [None, 4])
y_train = layer(x_train)
y_eval = layer(x_eval, reuse=True)  # shares w, but builds a second, untrained b
""",
        good_example="""\
import tensorflow as tf


def layer(x, reuse=False):
    with tf.variable_scope("layer", reuse=reuse):
        w = tf.get_variable("w", [4, 4])
        b = tf.get_variable("b", [4], initializer=tf.zeros_initializer())
        return tf.matmul(x, w) + b


x_train = tf.placeholder(tf.float32, [None, 4])
x_eval = tf.placeholder(tf.float32, [None, 4])
y_train = layer(x_train)
y_eval = layer(x_eval, reuse=True)  # shares w and b
""",
        hint="Use tf.get_variable so that the reusing run fetches the existing variable.",
    ),
    Rule(
        "TFS202", "ineffective-reuse-false", WARNING,
        "reuse=False inside a scope that already reuses has no effect.",
        "reuse=False has no effect here: the enclosing scope '{parent}' already reuses ({reuse_reason}), and a "
        "sub-scope cannot switch reuse off",
        explanation="""\
Reuse is inherited: a sub-scope of a reusing scope always reuses, and `reuse=False` cannot
switch it off (TensorFlow treats `False` as "inherit", like `None`). Code that passes
`reuse=False` inside a reusing scope to get fresh variables silently shares the existing ones,
or fails with `does not exist` when there is nothing to share. Entering a captured
`VariableScope` object is the one exception: it keeps its own reuse flag.\
""",
        bad_example="""\
import tensorflow as tf

with tf.variable_scope("model"):
    with tf.variable_scope("head"):
        w = tf.get_variable("w", [8, 2])

with tf.variable_scope("model", reuse=True):
    # meant: a fresh head for evaluation
    with tf.variable_scope("head", reuse=False):  # no effect: model/head still reuses
        w_eval = tf.get_variable("w", [8, 2])  # silently the same variable as w
""",
        good_example="""\
import tensorflow as tf

with tf.variable_scope("model"):
    with tf.variable_scope("head"):
        w = tf.get_variable("w", [8, 2])

with tf.variable_scope("eval_head"):  # outside the reusing scope: a new variable
    w_eval = tf.get_variable("w", [8, 2])
""",
        hint="Open this part of the model outside the reusing scope, or drop reuse=False.",
    ),
    Rule(
        "TFS301", "missing-in-checkpoint", ERROR,
        "The program creates a variable that the checkpoint does not hold, so restoring it fails.",
        "Variable '{variable}' is not in the checkpoint {checkpoint}: tf.train.Saver.restore fails with 'Key "
        "{variable} not found in checkpoint'{rename}",
        explanation="""\
`tfscope-lint vars --checkpoint CKPT` compares the variables the program creates (as
`tf.global_variables()` lists them) with those a checkpoint holds. A `tf.train.Saver` built on
the program's variables looks each one up by name when it restores, and stops at the first name
the checkpoint lacks: `NotFoundError: Key generator/h0/w not found in checkpoint`, after the
input pipeline and the graph are built, often after the job waited in a queue. The usual cause is
a refactor that renamed a scope or a layer, or a new variable added since the checkpoint was
written. When another checkpoint variable differs from the missing one only in a scope prefix,
the finding names it: the likely rename. Names the analysis cannot be sure of are never reported
missing.\
""",
        bad_example="""\
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 4])
with tf.variable_scope("gen"):  # was "generator" when the checkpoint was saved
    with tf.variable_scope("h0"):
        w = tf.get_variable("w", [4, 2])
y = tf.matmul(x, w)
""",
        good_example="""\
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 4])
with tf.variable_scope("generator"):
    with tf.variable_scope("h0"):
        w = tf.get_variable("w", [4, 2])
y = tf.matmul(x, w)
""",
        hint="Rename the scope back, or restore through a name map: tf.train.Saver({'old/name': var}) or "
             "tf.train.init_from_checkpoint(ckpt, {'old_scope/': 'new_scope/'}).",
        checkpoint_example="generator/h0/w [4, 2]\n",
    ),
    Rule(
        "TFS302", "orphan-in-checkpoint", WARNING,
        "The checkpoint holds a variable the program no longer creates: its value is never restored.",
        "The checkpoint {checkpoint} holds '{variable}' {shape}, which the program does not create: its value is "
        "not restored{rename}",
        explanation="""\
A checkpoint variable that no variable of the program is named after is silently skipped by
`Saver.restore` and by `init_from_checkpoint` with a scope map: the layer it belonged to starts
from its initializer, and training looks as if it resumed. It is usually the other half of a
rename (a missing variable is reported with it), a layer that was removed on purpose, or a model
restored into a smaller one. Optimizer slots, Adam's beta powers and the global step that the
program does not create are training state, not model weights: they are reported under the
opt-in TFS305 instead. Nothing is reported when the analysis may have missed a creation (a name
it cannot spell, a run cut short), since the variable may exist after all.\
""",
        bad_example="""\
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 4])
with tf.variable_scope("encoder"):
    w = tf.get_variable("w", [4, 2])
y = tf.matmul(x, w)
""",
        good_example="""\
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 4])
with tf.variable_scope("encoder"):
    w = tf.get_variable("w", [4, 2])
    b = tf.get_variable("b", [2])
y = tf.matmul(x, w) + b
""",
        hint="Create the variable again under its old name, or confirm that dropping it is intended.",
        checkpoint_example="encoder/w [4, 2]\nencoder/b [2]\n",
    ),
    Rule(
        "TFS303", "checkpoint-shape-mismatch", ERROR,
        "A variable has another shape in the checkpoint than the program creates it with.",
        "Variable '{variable}' is created with shape {shape}, but the checkpoint {checkpoint} holds shape {found}: "
        "restoring it fails ('Assign requires shapes of both tensors to match')",
        explanation="""\
Restoring assigns each checkpoint tensor to the variable of the same name, and an assignment needs
both shapes to be equal: `InvalidArgumentError: Assign requires shapes of both tensors to match.
lhs shape= [10000,256] rhs shape= [10000,128]`. A hyperparameter (a hidden size, a vocabulary
size, a number of classes) changed since the checkpoint was written, or the checkpoint belongs to
another configuration of the model. Dimensions the analysis does not know are not compared.\
""",
        bad_example="""\
import tensorflow as tf

with tf.variable_scope("embedding"):
    table = tf.get_variable("table", [10000, 256])
""",
        good_example="""\
import tensorflow as tf

with tf.variable_scope("embedding"):
    table = tf.get_variable("table", [10000, 128])
""",
        hint="Build the model with the configuration the checkpoint was trained with, or leave the variable "
             "out of the Saver and train it from scratch.",
        checkpoint_example="embedding/table [10000, 128]\n",
    ),
    Rule(
        "TFS304", "checkpoint-dtype-mismatch", ERROR,
        "A variable has another dtype in the checkpoint than the program creates it with.",
        "Variable '{variable}' is created as {dtype}, but the checkpoint {checkpoint} holds {found}: restoring it "
        "fails (the restore op asks for {dtype} and finds {found})",
        explanation="""\
A checkpoint stores each tensor with its dtype, and the restore op of a variable asks for the
variable's own dtype: a model switched to float16 or float64, or an integer counter made as a float,
fails with `InvalidArgumentError: tensor_name = ...; expected dtype float does not equal original
dtype double`. Only an index file names the dtypes (a text listing of names and shapes does not),
and a dtype the analysis does not know is not compared.\
""",
        bad_example="""\
import tensorflow as tf

with tf.variable_scope("model"):
    w = tf.get_variable("w", [3, 1], dtype=tf.float64)
""",
        good_example="""\
import tensorflow as tf

with tf.variable_scope("model"):
    w = tf.get_variable("w", [3, 1], dtype=tf.float32)
""",
        hint="Create the variable with the checkpoint's dtype, and cast where a different precision is needed.",
        checkpoint_example="model/w [3, 1] float32\n",
    ),
    Rule(
        "TFS305", "unrestored-training-state", WARNING,
        "The checkpoint holds training state (optimizer slots, beta powers, the global step) the program does not "
        "create.",
        "The checkpoint {checkpoint} holds '{variable}', {what} that the program does not create: it is not "
        "restored",
        explanation="""\
Optimizers keep state next to each variable (`w/Adam`, `w/Adam_1`, `w/Momentum`), Adam two beta
powers, and training scripts a `global_step`; a moving average keeps `w/ExponentialMovingAverage`.
An evaluation, export or inference graph creates none of these, so restoring it from a training
checkpoint leaves them out, which is intended. In a training script it means the optimizer was
changed or renamed, and training resumes with fresh optimizer state or a step count back at zero.
This check is off by default: turn it on with `--extend-select TFS305` for training scripts.\
""",
        bad_example="""\
import tensorflow as tf

w = tf.get_variable("w", [4, 2])
loss = tf.reduce_sum(w)
train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)  # the checkpoint was trained with Momentum
""",
        good_example="""\
import tensorflow as tf

w = tf.get_variable("w", [4, 2])
loss = tf.reduce_sum(w)
train = tf.train.MomentumOptimizer(0.1, 0.9).minimize(loss)
""",
        hint="In a training script, create the same optimizer (and global step) as the checkpoint's run did.",
        opt_in=True,
        checkpoint_example="w [4, 2]\nw/Momentum [4, 2]\n",
    ),
    Rule(
        "TFS900", "unused-noqa", WARNING,
        "A noqa comment names a tfscope-lint code that reports nothing on its line.",
        "Unused noqa directive ({detail})",
        explanation="""\
A `# noqa: TFS102` that suppresses nothing is left over from a problem that was fixed, or names
the wrong code or the wrong line. It silences nothing today, but it will hide the next real
finding on that line. This check is off by default: turn it on with `extend-select =
["TFS900"]` (as ruff's RUF100). Codes of other tools (`# noqa: E501`) and a bare `# noqa` are
left alone.\
""",
        bad_example="""\
import tensorflow as tf

with tf.variable_scope("model"):
    w = tf.get_variable("w", [4, 2])  # noqa: TFS102
""",
        good_example="""\
import tensorflow as tf

with tf.variable_scope("model"):
    w = tf.get_variable("w", [4, 2])
""",
        hint="Remove the directive, or the codes in it that no longer apply.",
        opt_in=True,
    ),
]

RULES: Dict[str, Rule] = {rule.code: rule for rule in _RULES}

# Notes attached to related locations, by kind: also text a user reads.
RELATED = {
    "first_created": "'{variable}' was first created here",
    "reuse_on": "reuse was switched on here",
    "reuse_leak": "reuse_variables() on the root scope here makes every later get_variable in this graph fetch-only",
    "call": "called from here",
    "in_map_fn": "the call that fails, inside the function tf.map_fn runs",
    "existing": "'{existing}' was created here",
    "followers": "; {count} more variable{plural} the same way right after it",
    "setting": " (only with {setting}: the code that fails runs when that setting is flipped from its default)",
}


def rule(code: str) -> Rule:
    return RULES[code]


def render_message(code: str, **facts: object) -> str:
    return RULES[code].message.format(**facts)


def render_related(kind: str, **facts: object) -> str:
    return RELATED[kind].format(**facts)


# What TensorFlow itself says, by rule and by version (SEMANTICS.md §1): users grep their logs for it.
_TF_ERRORS = {
    "exists": "Variable {variable} already exists, disallowed. Did you mean to set reuse=True or "
              "reuse=tf.AUTO_REUSE in VarScope?",
    "exists_old": "Variable {variable} already exists, disallowed. Did you mean to set reuse=True in VarScope?",
    "missing": "Variable {variable} does not exist, or was not created with tf.get_variable(). Did you mean to set "
               "reuse=tf.AUTO_REUSE in VarScope?",
    "missing_old": "Variable {variable} does not exist, or was not created with tf.get_variable(). Did you mean to "
                   "set reuse=None in VarScope?",
    "shape": "Trying to share variable {variable}, but specified shape {shape} and found shape {found}.",
    "no_shape_old": "Shape of a new variable ({variable}) must be fully defined, but instead was <unknown>.",
    "no_shape_1": "The initializer passed is not valid. It should be a callable with no arguments and the shape "
                  "should not be provided or an instance of `tf.keras.initializers.*' and `shape` should be fully "
                  "defined.",
    "no_shape_2": "Variable {variable} did not get an initializer, so its `shape` argument must be specified.",
    "no_shape_value": "initial_value must have a shape specified: Tensor(..., shape={shape}, ...)",
    "constant": "If initializer is a constant, do not specify shape.",
}


def parse_version(text: str) -> tuple:
    parts = []
    for piece in text.split(".")[:2]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts + [0] * (2 - len(parts)))


def tf_error(code: str, tf_version: str = "1.15", **facts: object) -> Optional[str]:
    """The ValueError text TensorFlow of that version raises for a finding, when the rule has one."""
    version = parse_version(tf_version)
    old = version < (1, 4)  # before AUTO_REUSE existed
    key = {
        "TFS101": "exists_old" if old else "exists", "TFS102": "exists_old" if old else "exists",
        "TFS103": "missing_old" if old else "missing", "TFS104": "missing_old" if old else "missing",
        "TFS105": "shape", "TFS108": "constant",
        "TFS107": "no_shape_old" if version < (1, 13) else "no_shape_1" if version < (2, 0) else "no_shape_2",
    }.get(code)
    if code == "TFS107" and facts.get("kind") == "initial_value":
        key = "no_shape_value"
    if key is None:
        return None
    try:
        return _TF_ERRORS[key].format(**facts)
    except (KeyError, IndexError):
        return None
