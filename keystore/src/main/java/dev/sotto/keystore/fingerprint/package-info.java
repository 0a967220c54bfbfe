/** Safety numbers: Signal's numeric fingerprint over both parties' identities and usernames. */
package dev.sotto.keystore.fingerprint;
