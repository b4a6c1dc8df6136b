export type { MultipartBody, MultipartField, MultipartFile, MultipartParts } from './formData';
export { buildMultipartBody, createBoundary, escapeHeaderParam } from './formData';
