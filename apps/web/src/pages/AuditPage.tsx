import { PageHeading, useDocumentTitle } from '../components/Page.tsx';
import type { AppPageProps } from '../App.tsx';

export function AuditPage(_props: AppPageProps) {
  useDocumentTitle('Audit log');
  return <PageHeading>Audit log</PageHeading>;
}
