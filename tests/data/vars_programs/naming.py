# How TF names tf.Variables: default names uniquified, a name taken by get_variable, scopes opened twice.
import tensorflow as tf

a = tf.Variable(1.0)
b = tf.Variable(2.0)
with tf.variable_scope("layer"):
    w = tf.get_variable("w", [2])
    w2 = tf.Variable(tf.zeros([2]), name="w")
    scale = tf.Variable(1.0, name="scale")
with tf.variable_scope("layer", reuse=True):
    again = tf.get_variable("w", [2])
    bias = tf.Variable(0.0, name="bias")
with tf.name_scope("stats"):
    total = tf.Variable(0, name="total", trainable=False)
for i in range(2):
    with tf.variable_scope("tower_%d" % i):
        tf.get_variable("conv", [3, 3])
local = tf.get_variable("local", [1], collections=[tf.GraphKeys.LOCAL_VARIABLES])
frozen = tf.get_variable("frozen", [1], trainable=False)
ema = tf.train.ExponentialMovingAverage(0.99)
update = ema.apply([w])
feed = tf.placeholder(tf.float32, [2], name="feed")
fed = tf.Variable(tf.zeros([2]), name="feed")  # the placeholder took the name: TF calls it feed_1
