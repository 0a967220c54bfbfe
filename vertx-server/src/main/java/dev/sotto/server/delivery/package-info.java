/**
 * Delivery: {@link dev.sotto.server.delivery.DeliveryService} stores each envelope durably, then
 * pushes it to every live connection of its recipient through a {@link
 * dev.sotto.server.delivery.Router}; on login it sends the per-sender counts and then the backlog,
 * oldest first; on the recipient's ack it deletes. The networking layer implements {@link
 * dev.sotto.server.delivery.DeviceConnection} for each logged-in connection.
 */
package dev.sotto.server.delivery;
