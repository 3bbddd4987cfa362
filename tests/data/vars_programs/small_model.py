# A tiny classifier trained with Adam: get_variable, a tf.Variable counter, layers, slots, the global step.
import tensorflow as tf

step = tf.train.get_or_create_global_step()
x = tf.placeholder(tf.float32, [None, 4])
with tf.variable_scope("model"):
    with tf.variable_scope("h0"):
        w = tf.get_variable("w", [4, 3])
        b = tf.get_variable("b", [3], initializer=tf.zeros_initializer())
    h = tf.matmul(x, w) + b
    with tf.variable_scope("out"):
        v = tf.get_variable("w", [3, 1], dtype=tf.float64)
    counter = tf.Variable(7, name="counter", trainable=False)
loss = tf.reduce_sum(h) + tf.cast(tf.reduce_sum(v), tf.float32)
train_op = tf.train.AdamOptimizer().minimize(loss, global_step=step)
