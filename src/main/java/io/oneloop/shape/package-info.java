/**
 * The shape of a task's config or a job's params, declared by the class that reads them.
 * <p>
 * <b>The public surface</b> of this package is {@link io.oneloop.shape.ConfigShape} and its
 * {@link io.oneloop.shape.ConfigShape.Key}: a task class or a job type declares
 * {@code public static ConfigShape configShape()}, and {@code --check-config} and every start check
 * the configured values against it without creating or deploying anything. Their names and methods
 * stay from release to release.
 */
package io.oneloop.shape;
