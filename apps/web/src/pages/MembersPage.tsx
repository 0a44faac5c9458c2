import { PageHeading, useDocumentTitle } from '../components/Page.tsx';
import type { AppPageProps } from '../App.tsx';

export function MembersPage(_props: AppPageProps) {
  useDocumentTitle('Members');
  return <PageHeading>Members</PageHeading>;
}
