import { PageHeading, useDocumentTitle } from '../components/Page.tsx';
import type { AppPageProps } from '../App.tsx';

export function LicenseServersPage(_props: AppPageProps) {
  useDocumentTitle('License servers and features');
  return <PageHeading>License servers and features</PageHeading>;
}
