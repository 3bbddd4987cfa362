"""A small GAN written the TensorFlow 1.x way, with the classic bug: the discriminator is built
twice, once on real images and once on generated ones, and the second build does not reuse the
first one's variables. TensorFlow stops with "Variable discriminator/h0/w already exists,
disallowed"; `tfscope-lint check examples/gan_discriminator.py` says so without running it.
"""

import tensorflow as tf

NOISE_DIM = 64
HIDDEN = 128
IMAGE_DIM = 28 * 28


def dense(x, in_dim, units, name):
    with tf.variable_scope(name):
        w = tf.get_variable("w", [in_dim, units], initializer=tf.glorot_uniform_initializer())
        b = tf.get_variable("b", [units], initializer=tf.zeros_initializer())
        return tf.matmul(x, w) + b


def generator(z):
    with tf.variable_scope("generator"):
        h = tf.nn.relu(dense(z, NOISE_DIM, HIDDEN, "h0"))
        return tf.nn.sigmoid(dense(h, HIDDEN, IMAGE_DIM, "out"))


def discriminator(images):
    # The fix: take a `reuse=False` parameter, open the scope with reuse=reuse,
    # and build the second discriminator with reuse=True.
    with tf.variable_scope("discriminator"):
        h = tf.nn.leaky_relu(dense(images, IMAGE_DIM, HIDDEN, "h0"))
        return dense(h, HIDDEN, 1, "logit")


real_images = tf.placeholder(tf.float32, [None, IMAGE_DIM], name="real_images")
noise = tf.placeholder(tf.float32, [None, NOISE_DIM], name="noise")

fake_images = generator(noise)
d_real = discriminator(real_images)
d_fake = discriminator(fake_images)

bce = tf.nn.sigmoid_cross_entropy_with_logits
d_loss = tf.reduce_mean(bce(labels=tf.ones_like(d_real), logits=d_real)) + tf.reduce_mean(
    bce(labels=tf.zeros_like(d_fake), logits=d_fake)
)
g_loss = tf.reduce_mean(bce(labels=tf.ones_like(d_fake), logits=d_fake))

d_train = tf.train.AdamOptimizer(2e-4, beta1=0.5).minimize(
    d_loss, var_list=tf.trainable_variables("discriminator")
)
g_train = tf.train.AdamOptimizer(2e-4, beta1=0.5).minimize(
    g_loss, var_list=tf.trainable_variables("generator")
)
