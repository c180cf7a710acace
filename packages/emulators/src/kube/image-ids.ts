import { createHash } from 'node:crypto';

/** An image reference split as the distribution library does: registry/repository, tag, digest. */
export interface ImageReference {
  /** Fully qualified: `docker.io/library/nginx`, `ghcr.io/relaycorp/gwctl`. */
  repository: string;
  tag?: string;
  digest?: string;
}

/**
 * Parses `nginx`, `relaycorp/gateway:1.0.0`, `ghcr.io/a/b:1@sha256:…` and qualifies Docker Hub names
 * (`docker.io/`, `library/` for official images), as containerd does before reporting them.
 */
export function parseImage(image: string): ImageReference {
  const [nameAndTag, digest] = image.split('@', 2) as [string, string | undefined];
  const tagAt = nameAndTag.lastIndexOf(':');
  const hasTag = tagAt > nameAndTag.lastIndexOf('/');
  const name = hasTag ? nameAndTag.slice(0, tagAt) : nameAndTag;
  const tag = hasTag ? nameAndTag.slice(tagAt + 1) : undefined;
  const first = name.split('/')[0]!;
  const hasRegistry = name.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  const repository = hasRegistry ? name : `docker.io/${name.includes('/') ? name : `library/${name}`}`;
  return { repository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/**
 * What the kubelet reports in `status.containerStatuses[]`: `image` as pulled and `imageID` as
 * `<repository>@<digest>`. An image pinned by digest runs that digest; a tag resolves to the digest
 * the emulated registry gives it, the same one every time (so a tag never moves unless a test says so).
 */
export function runningImage(image: string): { image: string; imageID: string } {
  const ref = parseImage(image);
  const digest =
    ref.digest ??
    `sha256:${createHash('sha256')
      .update(`${ref.repository}:${ref.tag ?? 'latest'}`)
      .digest('hex')}`;
  return {
    image: ref.digest && !ref.tag ? `${ref.repository}@${ref.digest}` : `${ref.repository}:${ref.tag ?? 'latest'}`,
    imageID: `${ref.repository}@${digest}`,
  };
}
