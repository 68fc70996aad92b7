import { createServer, type Server } from "node:http";
import type { Express } from "express";

/** Listens on loopback unless told otherwise; resolves once the port is bound (port 0 picks one). */
export function listen(app: Express, port: number, host = "127.0.0.1"): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (error?: Error) => (error ? reject(error) : resolve(server)));
  });
}

/** A server bound to its port with no app yet: `ewis serve` learns its address before it builds the app. */
export function openPort(port: number, host = "127.0.0.1"): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(port, host, () => resolve(server));
  });
}
