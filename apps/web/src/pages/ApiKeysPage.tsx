import { PageHeading, useDocumentTitle } from '../components/Page.tsx';
import type { AppPageProps } from '../App.tsx';

export function ApiKeysPage(_props: AppPageProps) {
  useDocumentTitle('Agents and API keys');
  return <PageHeading>Agents and API keys</PageHeading>;
}
