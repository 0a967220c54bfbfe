/**
 * Token-bucket throttling keyed by source address or account, with maps bounded so that a flood of
 * distinct keys cannot grow them.
 */
package dev.sotto.server.throttle;
