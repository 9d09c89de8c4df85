// Writes openapi.json, the API's OpenAPI document, from the code (`npm run openapi`).
// A test fails when the committed file differs from what the code declares.
import { writeFileSync } from 'node:fs';
import { apiOpenApiDocument } from '../apps/api/src/create-api.js';
import { OPENAPI_PATH, serialiseOpenApi } from '../apps/api/src/openapi/openapi-file.js';

writeFileSync(OPENAPI_PATH, serialiseOpenApi(apiOpenApiDocument()));
console.log(`wrote ${OPENAPI_PATH}`);
