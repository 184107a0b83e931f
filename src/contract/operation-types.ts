// The request parts of each operation of openapi.yaml, by operationId, from the generated
// types: what a handler receives once Ajv has validated the request.
import type { operations } from './openapi-types.js';

export type OperationId = keyof operations;

type JsonContent<T> = T extends { content: { 'application/json': infer Body } } ? Body : undefined;

/** The path parameters of an operation (path and query strings already coerced to their types). */
export type ParamsOf<K extends OperationId> = operations[K]['parameters']['path'];

export type QueryOf<K extends OperationId> = operations[K]['parameters']['query'];

/** The JSON body of an operation's request (undefined when it takes none). */
export type BodyOf<K extends OperationId> = JsonContent<operations[K]['requestBody']>;

type SuccessStatus = 200 | 201 | 202;

/** The JSON body of an operation's success answer (a union when it has several). */
export type ResponseOf<K extends OperationId> = {
  [S in SuccessStatus & keyof operations[K]['responses']]: JsonContent<operations[K]['responses'][S]>;
}[SuccessStatus & keyof operations[K]['responses']];
