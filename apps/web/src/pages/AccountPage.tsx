import { PageHeading, useDocumentTitle } from '../components/Page.tsx';
import type { AppPageProps } from '../App.tsx';

export function AccountPage(_props: AppPageProps) {
  useDocumentTitle('Account');
  return <PageHeading>Account</PageHeading>;
}
