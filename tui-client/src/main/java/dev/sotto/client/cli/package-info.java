/**
 * The non-interactive command line, {@code sotto}: account commands for people and scripts, on the
 * UI-free client core. Every failure is one line on stderr and a documented exit code ({@link
 * dev.sotto.client.cli.ExitCodes}); logs go to a file, never to the terminal.
 */
package dev.sotto.client.cli;
