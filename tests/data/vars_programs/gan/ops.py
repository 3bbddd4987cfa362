# Layer helpers of the GAN project: get_variable under a scope each.
import tensorflow as tf


def linear(x, size, scope):
    with tf.variable_scope(scope):
        w = tf.get_variable("w", [int(x.shape[-1]), size])
        b = tf.get_variable("b", [size], initializer=tf.zeros_initializer())
        return tf.matmul(x, w) + b


def batch_norm(x, training):
    return tf.layers.batch_normalization(x, training=training)
