/** Moved to records/children/; kept while the process-instance routes move (issue 12). */
export { childRowByNhsNumber as findChildByNhsNumber, type ChildDetails } from '../../records/children/child-rows';
