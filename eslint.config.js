import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Dependencies point downward (DESIGN.md): files in `files` may not import the folders in `above`. */
function layer(files, above, message) {
  return {
    files,
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: above.map((d) => `**/${d}/**`), message }] }],
    },
  };
}

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'dist-all/**',
      'node_modules/**',
      'examples/**',
      'bench/results/**',
      'bench/fixtures/**',
      '**/fixtures/**',
      '**/.slipway/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', 'scripts/*.mjs', 'bench/*.mjs', 'bin/*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        URL: 'readonly',
        fetch: 'readonly',
        performance: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['test', 'it', 'describe', 'suite', 'before', 'after', 'beforeEach', 'afterEach'],
            },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Dependencies point downward (DESIGN.md): lower layers never import upper ones.
      'no-restricted-imports': 'off',
    },
  },
  layer(
    ['src/project/**', 'src/shared/**', 'src/runtime/**', 'src/events/**', 'src/apigateway/**'],
    ['cli', 'app'],
    'cli/ and app/ sit above this layer (DESIGN.md).',
  ),
  layer(
    ['src/runtime/**'],
    ['cli', 'app', 'apigateway', 'services', 'triggers'],
    'The runtime knows no service (DESIGN.md).',
  ),
  layer(
    ['src/package/**'],
    ['cli', 'app', 'runtime', 'services', 'triggers', 'apigateway', 'edge', 'deploy'],
    'package/ builds from the project model alone; app/ composes it with the rest (DESIGN.md).',
  ),
  layer(
    ['src/deploy/**'],
    ['cli', 'app', 'runtime', 'services', 'triggers', 'apigateway', 'edge', 'package'],
    'deploy/ talks to AWS through the SDK about built artefacts it is handed; app/ composes it with the build (DESIGN.md).',
  ),
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
