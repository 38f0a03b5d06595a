import { buildApp } from './build-app.js';
import { StackContextError } from './stack-config.js';

// The CDK entry point (cdk.json: `npx tsx infra/app.ts`). Context errors are printed plainly, without a stack trace.
try {
  buildApp().app.synth();
} catch (error) {
  if (error instanceof StackContextError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
