import 'aws-sdk-client-mock-vitest/extend';

// Unit tests mock every AWS client; these values only satisfy the config checks.
process.env.TABLE_NAME = 'unit-test-table';
process.env.SERVICE_VERSION = 'unit-test';
process.env.AWS_REGION = 'us-east-1';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
