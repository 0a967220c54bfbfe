/**
 * What every part of the server uses to refuse a request: {@link
 * dev.sotto.server.request.RequestException}, a stable wire error code with a sentence and an
 * optional retry time. A leaf package, so that {@code account} and {@code net} share it without
 * depending on each other.
 */
package dev.sotto.server.request;
