import type { Server } from 'node:net';
import { SlipwayError } from './errors.ts';

/** Listens, turning EADDRINUSE / EACCES into a SlipwayError that names the port and the flag to change. */
export function listen(server: Server, port: number, host: string, flag: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      if (err.code === 'EADDRINUSE')
        reject(
          new SlipwayError('PortInUse', `port ${port} on ${host} is already in use`, {
            hint: `stop the process using it, or pass ${flag} <another port> (${flag} 0 picks a free one)`,
          }),
        );
      else if (err.code === 'EACCES')
        reject(
          new SlipwayError('PortNotAllowed', `not allowed to listen on ${host}:${port}`, {
            hint: `pass ${flag} with a port above 1023`,
          }),
        );
      else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND')
        reject(
          new SlipwayError('HostNotAvailable', `cannot listen on host ${host}: ${err.code}`, {
            hint: 'pass --host 127.0.0.1',
          }),
        );
      else reject(err);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}
