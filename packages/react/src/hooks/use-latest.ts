import { type RefObject, useInsertionEffect, useRef } from 'react';

/**
 * A ref that always holds the latest `value`, so callbacks can be read without becoming effect
 * dependencies. Updated in an insertion effect, before any layout or passive effect reads it.
 */
export function useLatest<T>(value: T): RefObject<T> {
  const ref = useRef(value);
  useInsertionEffect(() => {
    ref.current = value;
  });
  return ref;
}
