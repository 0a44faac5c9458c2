import { PageHeading, useDocumentTitle } from '../components/Page.tsx';
import type { AppPageProps } from '../App.tsx';

export function UploadPage(_props: AppPageProps) {
  useDocumentTitle('Smart Upload');
  return <PageHeading>Smart Upload</PageHeading>;
}
