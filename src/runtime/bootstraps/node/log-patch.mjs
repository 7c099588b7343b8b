// console.* in Lambda's formats: Text `<ISO time>\t<request id>\t<LEVEL>\t<message>` (newlines in a
// message become \r so one call stays one record), or JSON with AWS_LAMBDA_LOG_FORMAT=JSON.
import process from 'node:process';
import { format } from 'node:util';

const LEVELS = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4, FATAL: 5 };

export function patchConsole(env, currentRequestId) {
  const json = env.AWS_LAMBDA_LOG_FORMAT === 'JSON';
  const min = json ? (LEVELS[(env.AWS_LAMBDA_LOG_LEVEL ?? 'INFO').toUpperCase()] ?? 0) : 0;

  const write = (stream, level, args) => {
    if (LEVELS[level] < min) return;
    const requestId = currentRequestId();
    const message = format(...args);
    let line;
    if (json) {
      const record = { timestamp: new Date().toISOString(), level, requestId, message };
      const err = args.length === 1 && args[0] instanceof Error ? args[0] : undefined;
      if (err) {
        record.errorType = err.name;
        record.errorMessage = err.message;
        record.stackTrace = String(err.stack ?? '').split('\n');
      }
      line = JSON.stringify(record);
    } else {
      line = `${new Date().toISOString()}\t${requestId}\t${level}\t${message.replace(/\n/g, '\r')}`;
    }
    stream.write(line + '\n');
  };

  console.log = (...args) => write(process.stdout, 'INFO', args);
  console.info = (...args) => write(process.stdout, 'INFO', args);
  console.debug = (...args) => write(process.stdout, 'DEBUG', args);
  console.warn = (...args) => write(process.stderr, 'WARN', args);
  console.error = (...args) => write(process.stderr, 'ERROR', args);
  console.trace = (...args) => {
    const e = new Error(format(...args));
    e.name = 'Trace';
    write(process.stdout, 'TRACE', [String(e.stack)]);
  };
  console.fatal = (...args) => write(process.stderr, 'FATAL', args);
}
