import { createTheme, localStorageColorSchemeManager, MantineProvider, PasswordInput, TextInput } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense } from 'react';
import { BrowserRouter, Route, Routes } from 'react-router-dom';
import { ApiError, setCsrfToken } from './api/client';
import { sessionKey } from './api/session';
import { InvitePage } from './auth/invite-page';
import { LoginPage } from './auth/login-page';
import { ResetPasswordPage } from './auth/reset-password-page';
import { SetupPage } from './auth/setup-page';
import { CustomerPage } from './customers/customer-page';
import { CustomersPage } from './customers/customers-page';
import { HomePage } from './home/home-page';
import { NotFoundPage } from './home/not-found-page';
import { ImportPage } from './imports/import-page';
import { ImportsPage } from './imports/imports-page';
import { NewImportPage } from './imports/new-import-page';
import { AccountPage } from './settings/account-page';
import { SettingsPage } from './settings/settings-page';
import { GuestOnly, RequireSession, SetupGate } from './shell/guards';
import { SourcePage } from './sources/source-page';
import { SourcesPage } from './sources/sources-page';
import { PageLoader } from './ui/page-loader';

// The dashboard (with the charting library) and the segment pages load when first opened, not with the app.
const DashboardPage = lazy(() => import('./analytics/dashboard-page').then((m) => ({ default: m.DashboardPage })));
const TemplatesPage = lazy(() => import('./templates/templates-page').then((m) => ({ default: m.TemplatesPage })));
const TemplateEditorPage = lazy(() =>
  import('./templates/template-editor-page').then((m) => ({ default: m.TemplateEditorPage })),
);
const SegmentsPage = lazy(() => import('./segments/segments-page').then((m) => ({ default: m.SegmentsPage })));
const SegmentEditorPage = lazy(() =>
  import('./segments/segment-editor-page').then((m) => ({ default: m.SegmentEditorPage })),
);
const JourneysPage = lazy(() => import('./journeys/journeys-page').then((m) => ({ default: m.JourneysPage })));
// The journey page brings the graph library (React Flow) with it.
const JourneyPage = lazy(() => import('./journeys/journey-page').then((m) => ({ default: m.JourneyPage })));
// The predictions page brings its charts with it.
const PredictionsPage = lazy(() =>
  import('./predictions/predictions-page').then((m) => ({ default: m.PredictionsPage })),
);
const later = (page: React.ReactNode) => <Suspense fallback={<PageLoader />}>{page}</Suspense>;

const theme = createTheme({
  primaryColor: 'blue',
  // Shade 8: white on it, and it on white, reach 4.5:1 (AA); Mantine's default shade 6 gives 3.5:1.
  primaryShade: { light: 8, dark: 8 },
  defaultRadius: 'md',
  focusRing: 'auto',
  cursorType: 'pointer',
  components: {
    // Forms here ask only for what they need, so every field is required: `required` sets aria-required,
    // and a row of asterisks would add nothing.
    TextInput: TextInput.extend({ defaultProps: { withAsterisk: false } }),
    PasswordInput: PasswordInput.extend({ defaultProps: { withAsterisk: false } }),
  },
});

// Same key as public/color-scheme.js, which applies the choice before React starts.
const colorSchemeManager = localStorageColorSchemeManager({ key: 'kith.color-scheme' });

/** Creates the app's query client: no retries for answers that will not change (4xx). */
export function createQueryClient(): QueryClient {
  // A 401 `unauthorized` from any call means the session ended (expired, signed out elsewhere):
  // forgetting it sends the person to the sign-in page, which brings them back afterwards.
  const onError = (error: unknown) => {
    if (error instanceof ApiError && error.status === 401 && error.code === 'unauthorized') {
      setCsrfToken(null);
      queryClient.setQueryData(sessionKey, null);
    }
  };
  const queryClient: QueryClient = new QueryClient({
    queryCache: new QueryCache({ onError }),
    mutationCache: new MutationCache({ onError }),
    defaultOptions: {
      queries: {
        retry: (failures, error) =>
          !(error instanceof ApiError && error.status >= 400 && error.status < 500) && failures < 2,
        refetchOnWindowFocus: false,
      },
      mutations: { retry: false },
    },
  });
  return queryClient;
}

/** The whole web app: providers and routes. */
export function App({ queryClient }: { queryClient: QueryClient }) {
  return (
    <MantineProvider theme={theme} colorSchemeManager={colorSchemeManager} defaultColorScheme="auto">
      <Notifications position="bottom-right" />
      <QueryClientProvider client={queryClient}>
        <BrowserRouter>
          <Routes>
            <Route element={<SetupGate />}>
              <Route path="/setup" element={<SetupPage />} />
              <Route
                path="/login"
                element={
                  <GuestOnly>
                    <LoginPage />
                  </GuestOnly>
                }
              />
              <Route path="/invite/:token" element={<InvitePage />} />
              <Route path="/reset-password/:token" element={<ResetPasswordPage />} />
              <Route element={<RequireSession />}>
                <Route index element={<HomePage />} />
                <Route path="/customers" element={<CustomersPage />} />
                <Route path="/customers/:id" element={<CustomerPage />} />
                <Route path="/templates" element={later(<TemplatesPage />)} />
                <Route path="/templates/new" element={later(<TemplateEditorPage />)} />
                <Route path="/templates/:key" element={later(<TemplateEditorPage />)} />
                <Route path="/segments" element={later(<SegmentsPage />)} />
                <Route path="/segments/new" element={later(<SegmentEditorPage />)} />
                <Route path="/segments/:id" element={later(<SegmentEditorPage />)} />
                <Route path="/journeys" element={later(<JourneysPage />)} />
                <Route path="/journeys/:id" element={later(<JourneyPage />)} />
                <Route path="/dashboard" element={later(<DashboardPage />)} />
                <Route path="/predictions" element={later(<PredictionsPage />)} />
                <Route path="/sources" element={<SourcesPage />} />
                <Route path="/sources/:id" element={<SourcePage />} />
                <Route path="/imports" element={<ImportsPage />} />
                <Route path="/imports/new" element={<NewImportPage />} />
                <Route path="/imports/:id" element={<ImportPage />} />
                <Route path="settings/*" element={<SettingsPage />} />
                <Route path="/account" element={<AccountPage />} />
                <Route path="*" element={<NotFoundPage />} />
              </Route>
            </Route>
          </Routes>
        </BrowserRouter>
      </QueryClientProvider>
    </MantineProvider>
  );
}
