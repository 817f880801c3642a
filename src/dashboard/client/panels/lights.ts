/** The CSS class of a state or light (colour is never the only cue: the text says it too). */
export function stateClass(state: string | null): string {
  switch (state) {
    case 'NORMAL': return 'state-normal';
    case 'WARNING': return 'state-warning';
    case 'RESETTING': return 'state-resetting';
    case 'TRIPPED': return 'state-tripped';
    case 'MANUALLY_HALTED': return 'state-halted';
    case 'DISABLED': return 'state-disabled';
    default: return 'state-unknown';
  }
}
