import type { AnyStateMachine } from 'xstate'

/** One state of a machine, placed on a grid: `col` by distance from the start, `row` within it. */
export type MachineState = {
  /** Dotted path, as states are reported (`negotiating.signing`). */
  id: string
  label: string
  /** The compound state it sits in, if any. */
  parent: string | undefined
  final: boolean
  initial: boolean
  col: number
  row: number
}

/** A machine as a diagram: its atomic states, the transitions between them and their groups. */
export type MachineGraph = {
  id: string
  states: MachineState[]
  edges: { from: string; to: string; events: string[] }[]
  /** Compound states, drawn around their children. */
  groups: { id: string; label: string }[]
  /** Events any state answers (the root's own transitions, such as `cancel`). */
  global: { event: string; to: string }[]
}

type Node = AnyStateMachine['root']

/**
 * Reads an xstate machine's definition into a diagram: every atomic state, the transitions
 * (events, `always`, the done and error of invoked actors), laid out by breadth-first distance
 * from the initial state. Nothing is drawn by hand: a changed machine is a changed diagram.
 *
 * @example const graph = describeMachine(consumerMachine)
 */
export function describeMachine(machine: AnyStateMachine): MachineGraph {
  const atomic: Node[] = []
  const groups: MachineGraph['groups'] = []
  const visit = (node: Node) => {
    const children = Object.values(node.states) as Node[]
    if (children.length === 0) atomic.push(node)
    else if (node !== machine.root) groups.push({ id: idOf(node), label: node.key })
    for (const child of children) visit(child)
  }
  visit(machine.root)
  const leafOf = (node: Node): Node => {
    let at = node
    while (Object.keys(at.states).length > 0) {
      const initial = at.config.initial
      at = (at.states[typeof initial === 'string' ? initial : Object.keys(at.states)[0]!] ??
        Object.values(at.states)[0]) as Node
    }
    return at
  }
  const edges = new Map<string, { from: string; to: string; events: Set<string> }>()
  const add = (from: Node, to: Node, event: string) => {
    const target = leafOf(to)
    for (const source of from === machine.root ? [] : atomicUnder(from)) {
      const key = `${idOf(source)}→${idOf(target)}`
      const edge = edges.get(key) ?? { from: idOf(source), to: idOf(target), events: new Set() }
      edge.events.add(event)
      edges.set(key, edge)
    }
  }
  const atomicUnder = (node: Node): Node[] => atomic.filter((a) => isWithin(a, node))
  const global: MachineGraph['global'] = []
  const walk = (node: Node) => {
    for (const [event, definitions] of node.transitions)
      for (const definition of definitions)
        for (const target of definition.target ?? []) {
          if (node === machine.root) global.push({ event, to: idOf(leafOf(target)) })
          else add(node, target, eventLabel(event))
        }
    for (const definition of node.always ?? [])
      for (const target of definition.target ?? []) add(node, target, 'always')
    for (const child of Object.values(node.states) as Node[]) walk(child)
  }
  walk(machine.root)
  const start = leafOf(machine.root)
  const depth = new Map<string, number>([[idOf(start), 0]])
  const queue = [idOf(start)]
  while (queue.length > 0) {
    const at = queue.shift()!
    for (const edge of edges.values())
      if (edge.from === at && !depth.has(edge.to)) {
        depth.set(edge.to, depth.get(at)! + 1)
        queue.push(edge.to)
      }
  }
  const deepest = Math.max(...depth.values())
  const rows = new Map<number, number>()
  const states = atomic.map((node): MachineState => {
    const id = idOf(node)
    // States reached only through a global event (cancelling) sit after the rest.
    const col = depth.get(id) ?? deepest + 1
    const row = rows.get(col) ?? 0
    rows.set(col, row + 1)
    return {
      id,
      label: node.key,
      parent: node.parent && node.parent !== machine.root ? idOf(node.parent) : undefined,
      final: node.type === 'final',
      initial: node === start,
      col,
      row,
    }
  })
  const unique = [...new Map(global.map((g) => [`${g.event}→${g.to}`, g])).values()]
  return {
    id: machine.id,
    states,
    edges: [...edges.values()].map((e) => ({ ...e, events: [...e.events] })),
    groups,
    global: unique,
  }
}

function idOf(node: Node): string {
  return node.path.join('.')
}

function isWithin(node: Node, ancestor: Node): boolean {
  for (let at: Node | undefined = node; at; at = at.parent) if (at === ancestor) return true
  return false
}

/** `xstate.done.actor.counter` as `done`: the invoked actor's id says nothing to a reader. */
function eventLabel(event: string): string {
  if (event.startsWith('xstate.done.actor')) return 'done'
  if (event.startsWith('xstate.error.actor')) return 'error'
  return event
}
