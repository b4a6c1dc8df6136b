export type { MultipartBody, MultipartField, MultipartFile, MultipartParts } from './formData';
export { buildMultipartBody, FRAME_ROOM, createBoundary, escapeHeaderParam } from './formData';
