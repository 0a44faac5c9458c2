import { PageHeading, useDocumentTitle } from '../components/Page.tsx';
import type { AppPageProps } from '../App.tsx';

export function OverviewPage(_props: AppPageProps) {
  useDocumentTitle('Overview');
  return <PageHeading>Overview</PageHeading>;
}
