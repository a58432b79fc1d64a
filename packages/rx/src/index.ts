/**
 * @miro-token/rx: rxjs Observables of Miro token status: watchToken$, watchStore$, toObservable.
 */
export {};
