/**
 * The bad-input catalogue: malformed, hostile and abusive clients run against a live server while
 * legitimate users keep chatting ({@code bench/bad-input.sh}, {@link
 * dev.sotto.bench.abuse.BadInputMain}).
 */
package dev.sotto.bench.abuse;
