package com.oviron.callidus.agent.media;

/** An image file that passed every check of {@link DisplayImageValidator}. */
record ValidatedImage(ImageFormat format, int width, int height, long size, String sha256) {
}
