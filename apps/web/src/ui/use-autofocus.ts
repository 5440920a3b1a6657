import { useEffect, useRef } from 'react';

/** A ref that focuses its element once mounted: the first field of a single-purpose form. */
export function useAutofocus<T extends HTMLElement>() {
  const ref = useRef<T>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return ref;
}
