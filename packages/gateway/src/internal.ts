// Internals for tests and tools; not part of the public API.
export { Connection } from './connection.js';
export { ResumeLog } from './resume-log.js';
export { Session } from './session.js';
export { UidRegistry, uidOwner } from './uid-registry.js';
