package io.oneloop.app;

/**
 * The task-name filter at its old name, for a {@code logback.xml} that still names it.
 *
 * @deprecated moved to {@link io.oneloop.logging.TaskMdc}; name that in {@code <turboFilter class="...">}.
 *     This name goes in the next release.
 */
@Deprecated(forRemoval = true)
public class TaskMdc extends io.oneloop.logging.TaskMdc {
}
