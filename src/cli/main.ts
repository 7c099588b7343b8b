import { Command } from 'commander';

const program = new Command('slipway').description('A local cloud for AWS Lambda applications.');
program.parse();
