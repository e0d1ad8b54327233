import { lazy, type ComponentType } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { Result, Spin } from 'antd';
import { session } from './api/client';
import { isAdmin, useMe } from './api/me';
import { ConsoleLayout } from './components/ConsoleLayout';
import { SignInPage } from './pages/SignInPage';
import { SignInCallbackPage } from './pages/SignInCallbackPage';

// each page is its own chunk, fetched when first opened: the sign-in page needs neither the charts nor the tables
const named = <K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K) => lazy(async () => ({ default: (await load())[name] }));
const DashboardPage = named(() => import('./pages/DashboardPage'), 'DashboardPage');
const CustomersPage = named(() => import('./pages/CustomersPage'), 'CustomersPage');
const ApprovalsPage = named(() => import('./pages/ApprovalsPage'), 'ApprovalsPage');
const OrgPage = named(() => import('./pages/OrgPage'), 'OrgPage');
const AuditPage = named(() => import('./pages/AuditPage'), 'AuditPage');
const SettingsPage = named(() => import('./pages/SettingsPage'), 'SettingsPage');
const ImportPage = named(() => import('./pages/ImportPage'), 'ImportPage');

const pageLoading = (
  <div style={{ padding: 96, textAlign: 'center' }}>
    <Spin size="large" />
  </div>
);

function RequireSession({ children }: { children: JSX.Element }) {
  const location = useLocation();
  const me = useMe();
  if (!session.token()) return <Navigate to={`/login?next=${encodeURIComponent('/console' + location.pathname + location.search)}`} replace />;
  if (me.isLoading) return pageLoading;
  if (me.isError) return <Result status="warning" title="无法读取当前用户" subTitle={me.error.message} />;
  return children;
}

function AdminOnly({ children }: { children: JSX.Element }) {
  const me = useMe();
  if (!isAdmin(me.data)) return <Result status="403" title="无权访问" subTitle="此页面仅对系统管理员开放。" />;
  return children;
}

export function App() {
  return (
    <Routes>
      <Route path="/login" element={<SignInPage />} />
      <Route path="/login/callback/:platform" element={<SignInCallbackPage />} />
      <Route
        element={
          <RequireSession>
            <ConsoleLayout />
          </RequireSession>
        }
      >
        <Route index element={<DashboardPage />} />
        <Route path="customers" element={<CustomersPage />} />
        <Route path="approvals" element={<ApprovalsPage />} />
        <Route
          path="org"
          element={
            <AdminOnly>
              <OrgPage />
            </AdminOnly>
          }
        />
        <Route
          path="audit"
          element={
            <AdminOnly>
              <AuditPage />
            </AdminOnly>
          }
        />
        <Route
          path="settings"
          element={
            <AdminOnly>
              <SettingsPage />
            </AdminOnly>
          }
        />
        <Route path="imports" element={<ImportPage />} />
        <Route path="*" element={<Result status="404" title="页面不存在" />} />
      </Route>
    </Routes>
  );
}
