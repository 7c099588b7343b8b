/**
 * `slipway events [source] [type] [--option value…]`: sample events as AWS sends them, with names
 * and ARNs from the template when there is one; `--for <LogicalId>` builds the event of a
 * function's own trigger. Sources, types and their options come from the registry in src/events.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, type ErrorOptions, Option } from 'commander';
import {
  COMMON_OPTIONS,
  EVENT_SOURCES,
  type EventOption,
  type RawOptions,
  eventSource,
  generateEvent,
  optionsOf,
  sourceNames,
} from '../../events/index.ts';
import { generateEventForFunction } from '../../events/for-function.ts';
import { loadProject, parseParameterOverrides } from '../../project/load.ts';
import type { Project } from '../../project/model.ts';
import { SlipwayError } from '../../shared/errors.ts';
import { reportFailure } from '../output.ts';

const TEMPLATE_NAMES = ['template.yaml', 'template.yml', 'template.json'];

/** Flags of `events` itself and of every `events <source> <type>`, beside the event's own options. */
interface ProjectFlags {
  template?: string;
  parameterOverrides?: string[];
  json?: boolean;
  /** The event's own --region / --account-id, also handed to the template loader for its ARNs. */
  region?: string;
  accountId?: string;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/**
 * Commander's own errors (unknown option, missing value) in the `events` subtree become one line
 * naming the valid choices, with exit code 2 (bad input), like the errors the actions raise.
 */
class EventsCommand extends Command {
  override createCommand(name?: string): EventsCommand {
    return new EventsCommand(name);
  }

  override error(message: string, errorOptions?: ErrorOptions): never {
    const text = message.replace(/^error:\s*/, '').split('\n')[0]!;
    const flag = /'(-[^']*)'/.exec(text)?.[1];
    const line =
      errorOptions?.code === 'commander.unknownOption' && flag
        ? `error[UnknownOption]: unknown option '${flag}' for '${this.path()}'; valid options: ${this.validFlags().join(', ')}`
        : `error[InvalidOption]: ${text}`;
    return super.error(line, { exitCode: 2, code: errorOptions?.code ?? 'commander.error' });
  }

  private validFlags(): string[] {
    return this.options.map((o) => o.long ?? o.short ?? o.flags);
  }

  /** `slipway events s3 put`. */
  path(): string {
    const names: string[] = [this.name()];
    for (let c = this.parent; c; c = c.parent) names.unshift(c.name());
    return names.join(' ');
  }
}

function addProjectFlags(cmd: Command): Command {
  return cmd
    .option(
      '-t, --template <path>',
      'template file (default: template.yaml|yml|json in the current directory, if any)',
    )
    .option(
      '--parameter-overrides <Key=Value...>',
      "template parameter values, 'Key=Value Key2=Value2' or 'ParameterKey=K,ParameterValue=V' (repeatable)",
      collect,
    );
}

/**
 * The project of `--template`, else of a template in the current directory, else none (events then
 * use placeholders); with `required`, no template is an error.
 */
async function loadProjectFrom(flags: ProjectFlags, required: boolean): Promise<Project | undefined> {
  const cwd = process.cwd();
  const template = flags.template ?? TEMPLATE_NAMES.map((n) => resolve(cwd, n)).find((p) => existsSync(p));
  if (template === undefined) {
    if (!required) return undefined;
    throw new SlipwayError(
      'TemplateNotFound',
      `--for needs a template: no ${TEMPLATE_NAMES.join(', ')} in ${cwd}`,
      {
        hint: 'give one with --template <path>',
        exitCode: 2,
      },
    );
  }
  return loadProject({
    template,
    cwd,
    parameterOverrides: parseParameterOverrides(flags.parameterOverrides ?? []),
    region: flags.region,
    accountId: flags.accountId,
  });
}

function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

function describeOption(o: EventOption): string {
  return o.default === undefined ? o.description : `${o.description} (default: ${JSON.stringify(o.default)})`;
}

function listing(sources: string[]): string {
  const lines = ['Sources and types (slipway events <source> <type> --help shows their options):', ''];
  for (const name of sources) {
    const src = EVENT_SOURCES[name]!;
    lines.push(`  ${name.padEnd(12)} ${src.description}`);
    for (const [type, t] of Object.entries(src.types)) lines.push(`    ${type.padEnd(20)} ${t.description}`);
  }
  return lines.join('\n') + '\n';
}

function listingJson(sources: string[]): unknown {
  return sources.map((name) => {
    const src = EVENT_SOURCES[name]!;
    return {
      source: name,
      description: src.description,
      types: Object.entries(src.types).map(([type, t]) => ({
        type,
        description: t.description,
        options: optionsOf(name, type),
      })),
    };
  });
}

function printListing(sources: string[], json: boolean | undefined): void {
  if (json) printJson(listingJson(sources));
  else process.stdout.write(listing(sources));
}

/** `--name value`, `--name=value` tokens (what commander left over after `--for`) → options. */
function parseLooseOptions(tokens: string[]): RawOptions {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const m = /^--?([^=]+)(?:=(.*))?$/.exec(token);
    if (!m)
      throw new SlipwayError(
        'InvalidOption',
        `unexpected argument '${token}': with --for, give no source or type`,
        {
          exitCode: 2,
        },
      );
    const name = m[1] === 't' ? 'template' : m[1]!;
    let value = m[2];
    if (value === undefined) {
      value = tokens[++i];
      if (value === undefined)
        throw new SlipwayError('InvalidOption', `option '--${name}' needs a value`, { exitCode: 2 });
    }
    const prev = out[name];
    out[name] = prev === undefined ? value : [...(Array.isArray(prev) ? prev : [prev]), value];
  }
  return out;
}

const asList = (v: string | string[] | undefined): string[] | undefined =>
  v === undefined ? undefined : Array.isArray(v) ? v : [v];
const asOne = (v: string | string[] | undefined): string | undefined =>
  Array.isArray(v) ? v[v.length - 1] : v;

interface EventsFlags extends ProjectFlags {
  for?: string;
  eventId?: string;
}

async function runFor(flags: EventsFlags, leftovers: string[]): Promise<void> {
  const loose = parseLooseOptions(leftovers);
  const { template, 'parameter-overrides': overrides, 'event-id': eventId, ...options } = loose;
  const project = await loadProjectFrom(
    {
      template: asOne(template) ?? flags.template,
      parameterOverrides: [...(flags.parameterOverrides ?? []), ...(asList(overrides) ?? [])],
      region: asOne(options.region),
      accountId: asOne(options['account-id']),
    },
    true,
  );
  const result = generateEventForFunction(project!, flags.for!, {
    eventId: asOne(eventId) ?? flags.eventId,
    options,
  });
  printJson(result.event);
}

function eventsAction(cmd: Command, source: string | undefined): Promise<void> | void {
  const flags = cmd.opts<EventsFlags>();
  if (flags.for !== undefined) return runFor(flags, cmd.args);
  if (source === undefined) return printListing(sourceNames(), flags.json);
  if (source.startsWith('-'))
    throw new SlipwayError(
      'UnknownOption',
      `unknown option '${source}' for 'slipway events'; valid options: ${cmd.options.map((o) => o.long).join(', ')}`,
      { exitCode: 2 },
    );
  eventSource(source); // throws: a known source would have been dispatched to its subcommand
}

function sourceAction(cmd: Command, source: string, type: string | undefined): void {
  const flags = cmd.opts<ProjectFlags>();
  if (type === undefined) return printListing([source], flags.json);
  // A known type would have been dispatched to its subcommand.
  throw new SlipwayError(
    'UnknownEventType',
    `unknown event type '${type}' for source '${source}'; valid types: ${Object.keys(EVENT_SOURCES[source]!.types).join(', ')}`,
    { exitCode: 2 },
  );
}

async function typeAction(
  cmd: Command,
  source: string,
  type: string,
  specs: Map<string, string>,
): Promise<void> {
  const own = cmd.opts<Record<string, string | string[] | undefined>>();
  const parentFlags = cmd.parent!.parent!.opts<EventsFlags>();
  if (parentFlags.for !== undefined)
    throw new SlipwayError('InvalidOption', '--for picks the source and type itself: give it without them', {
      hint: `slipway events --for ${parentFlags.for}`,
      exitCode: 2,
    });
  const options: RawOptions = {};
  for (const [name, attribute] of specs) if (own[attribute] !== undefined) options[name] = own[attribute];
  const project = await loadProjectFrom(
    {
      template: (own.template as string | undefined) ?? parentFlags.template,
      parameterOverrides: [
        ...(parentFlags.parameterOverrides ?? []),
        ...((own.parameterOverrides as string[]) ?? []),
      ],
      region: own.region as string | undefined,
      accountId: own.accountId as string | undefined,
    },
    false,
  );
  printJson(generateEvent(source, type, options, project));
}

/** Runs an action (commander passes the command last) and turns a thrown error into the report and exit code. */
function guarded(fn: (self: Command, args: unknown[]) => Promise<void> | void) {
  return async (...args: unknown[]): Promise<void> => {
    const self = args[args.length - 1] as Command;
    try {
      await fn(self, args);
    } catch (err) {
      process.exitCode = reportFailure(err, Boolean(self.opts<ProjectFlags>().json));
    }
  };
}

function addTypeCommand(sourceCmd: Command, source: string, type: string): void {
  const t = EVENT_SOURCES[source]!.types[type]!;
  const cmd = sourceCmd.command(type).description(t.description);
  const specs = new Map<string, string>();
  for (const spec of [...t.options, ...COMMON_OPTIONS]) {
    const option = new Option(`--${spec.name} <value>`, describeOption(spec));
    if (spec.multiple) option.argParser(collect);
    cmd.addOption(option);
    specs.set(spec.name, option.attributeName());
  }
  addProjectFlags(cmd);
  cmd.action(guarded((self) => typeAction(self, source, type, specs)));
}

export function register(program: Command): void {
  const events = new EventsCommand('events')
    .description('print a sample event as AWS sends it (names and ARNs from the template when there is one)')
    .argument('[source]', `event source: ${sourceNames().join(', ')}`)
    .argument('[type]', 'event type of the source')
    .option('--for <LogicalId>', "the event the function's own trigger would send (its first event)")
    .option('--event-id <Id>', "with --for: which of the function's Events: to use")
    .option('--json', 'list sources and types as JSON')
    .allowUnknownOption()
    .allowExcessArguments()
    .showHelpAfterError(false);
  addProjectFlags(events);
  events.action(guarded((self, args) => eventsAction(self, args[0] as string | undefined)));
  for (const source of sourceNames()) {
    const cmd = events
      .command(source)
      .description(EVENT_SOURCES[source]!.description)
      .argument('[type]', `event type: ${Object.keys(EVENT_SOURCES[source]!.types).join(', ')}`)
      .option('--json', 'list the types as JSON');
    cmd.action(guarded((self, args) => sourceAction(self, source, args[0] as string | undefined)));
    for (const type of Object.keys(EVENT_SOURCES[source]!.types)) addTypeCommand(cmd, source, type);
  }
  program.addCommand(events);
}
