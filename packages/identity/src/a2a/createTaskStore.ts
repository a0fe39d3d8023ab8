import type { Task } from '@a2a-js/sdk'
import type { TaskStore } from '@a2a-js/sdk/server'

/**
 * An in-memory A2A task store that keeps the newest `limit` tasks (default 1,000) and lists
 * none. A completed task holds a paid output: it is read only by its id, which only the caller
 * that paid learns, so `ListTasks` answers an empty list rather than everyone's results. Old
 * tasks are forgotten, so a long-running agent's memory stays bounded.
 *
 * @example new DefaultRequestHandler(card, createTaskStore({ limit: 500 }), executor)
 */
export function createTaskStore(options: { limit?: number } = {}): TaskStore {
  const limit = options.limit ?? 1_000
  const tasks = new Map<string, Task>()
  return {
    async load(taskId) {
      const task = tasks.get(taskId)
      return task ? structuredClone(task) : undefined
    },
    async save(task) {
      // Re-inserted, so the task last written is the last forgotten.
      tasks.delete(task.id)
      tasks.set(task.id, structuredClone(task))
      for (const id of tasks.keys()) {
        if (tasks.size <= limit) break
        tasks.delete(id)
      }
    },
    async list(params) {
      return { tasks: [], nextPageToken: '', pageSize: params.pageSize ?? 0, totalSize: 0 }
    },
  }
}
