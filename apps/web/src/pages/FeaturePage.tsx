import { PageHeading, useDocumentTitle } from '../components/Page.tsx';
import type { AppPageProps } from '../App.tsx';

export function FeaturePage(_props: AppPageProps) {
  useDocumentTitle('Feature');
  return <PageHeading>Feature</PageHeading>;
}
