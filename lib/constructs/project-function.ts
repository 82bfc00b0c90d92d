import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ENV } from '../../shared/env.js';
import { BUNDLING } from '../bundling.js';

export interface ProjectFunctionProps {
  /** File in `functions/` (without extension) exporting `handler`, as in the route table. */
  handler: string;
  description: string;
  timeout?: Duration;
  memorySize?: number;
  environment?: Record<string, string>;
  /** A fixed name, for a function whose ARN must be known without referring to it. */
  functionName?: string;
}

/**
 * Every Lambda of the project, with the defaults fixed in one place: Node 22 on
 * arm64, the bundling of `lib/bundling.ts`, X-Ray tracing, a log group with retention.
 * Environment variables merge; nothing a caller passes replaces the defaults.
 */
export class ProjectFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: ProjectFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // An own role instead of AWSLambdaBasicExecutionRole: it may write to this log group only.
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    });
    logGroup.grantWrite(role);
    const fixed: NodejsFunctionProps = {
      entry: fileURLToPath(new URL(`../../functions/${props.handler}.ts`, import.meta.url)),
      handler: 'handler',
      description: props.description,
      ...(props.functionName !== undefined && { functionName: props.functionName }),
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      timeout: props.timeout ?? Duration.seconds(10),
      memorySize: props.memorySize ?? 512,
      tracing: Tracing.ACTIVE,
      logGroup,
      role,
      bundling: BUNDLING,
      environment: {
        POWERTOOLS_SERVICE_NAME: 'ticketing',
        [ENV.runtime]: 'aws',
        ...props.environment,
      },
    };
    super(scope, id, fixed);
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'Pinned to Node 22, the runtime the local stack and the tests run on.',
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level scoping.',
    });
  }
}
