import { z } from 'zod';

// The identifiers Nango's public API accepts (packages/server/lib/helpers/validation.ts in NangoHQ/nango).
export const providerConfigKeySchema = z
    .string()
    .regex(/^[a-zA-Z0-9~:.@ _-]+$/)
    .max(255);
export const connectionIdSchema = z
    .string()
    .regex(/^[a-zA-Z0-9,.;:=+~[\]|@${}"'\\/_ -]+$/)
    .max(255);
export const modelSchema = z
    .string()
    .regex(/^[A-Z][a-zA-Z0-9_-]+$/)
    .max(255);
export const scriptNameSchema = z
    .string()
    .regex(/^[a-zA-Z0-9_-]+$/)
    .max(255);
