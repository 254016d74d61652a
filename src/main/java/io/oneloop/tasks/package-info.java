/**
 * Background tasks: what {@code tasks} in the config names.
 * <p>
 * <b>The public surface</b> of this package is {@link io.oneloop.tasks.Task}, the base class a
 * task of your own extends; its name and its methods stay from release to release, as users'
 * compiled tasks and {@code "class"} entries name it. The built-in tasks and {@code TaskTypes}
 * are inside the app and may change without notice.
 */
package io.oneloop.tasks;
