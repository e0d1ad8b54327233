import { Suspense, useEffect, useState } from 'react';
import { Outlet, useLocation, useNavigate } from 'react-router-dom';
import { useQueryClient } from '@tanstack/react-query';
import { Avatar, Button, Dropdown, Layout, Menu, Space, Spin, Tag, Typography } from 'antd';
import {
  ApartmentOutlined,
  AuditOutlined,
  CheckSquareOutlined,
  DashboardOutlined,
  ImportOutlined,
  LogoutOutlined,
  SettingOutlined,
  TeamOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { ROLE_LABELS } from '@shared/org/roles';
import { session } from '../api/client';
import { isAdmin, useMe } from '../api/me';

const { Sider, Header, Content } = Layout;

export function ConsoleLayout() {
  const me = useMe().data!;
  const admin = isAdmin(me);
  const navigate = useNavigate();
  const location = useLocation();
  const queryClient = useQueryClient();
  // collapsed by default below 1200 px so the tables keep their width at 1024
  const [collapsed, setCollapsed] = useState(() => window.innerWidth < 1200);
  useEffect(() => {
    const narrow = window.matchMedia('(max-width: 1199px)');
    const follow = () => setCollapsed(narrow.matches);
    narrow.addEventListener('change', follow);
    return () => narrow.removeEventListener('change', follow);
  }, []);

  const items = [
    { key: '/', icon: <DashboardOutlined />, label: '仪表盘' },
    { key: '/customers', icon: <TeamOutlined />, label: '客户' },
    { key: '/approvals', icon: <CheckSquareOutlined />, label: '审批' },
    ...(me.permissions.includes('record.import') ? [{ key: '/imports', icon: <ImportOutlined />, label: '导入' }] : []),
    ...(admin
      ? [
          { key: '/org', icon: <ApartmentOutlined />, label: '组织与成员' },
          { key: '/audit', icon: <AuditOutlined />, label: '审计日志' },
          { key: '/settings', icon: <SettingOutlined />, label: '设置' },
        ]
      : []),
  ];
  const selected = items.map((i) => i.key).find((k) => (k === '/' ? location.pathname === '/' : location.pathname.startsWith(k))) ?? '/';

  const signOut = () => {
    session.clear();
    queryClient.clear();
    navigate('/login', { replace: true });
  };

  return (
    <Layout style={{ minHeight: '100%' }}>
      <Sider collapsible collapsed={collapsed} onCollapse={setCollapsed} width={208} className="console-sider">
        <div className="console-logo">{collapsed ? 'CRM' : 'CRM 工作台'}</div>
        <Menu theme="dark" mode="inline" selectedKeys={[selected]} items={items} onClick={(e) => navigate(e.key)} className="console-menu" />
      </Sider>
      <Layout>
        <Header className="console-header">
          <Typography.Text type="secondary">数据范围：{me.scope.label}</Typography.Text>
          <Dropdown menu={{ items: [{ key: 'out', icon: <LogoutOutlined />, label: '退出登录', onClick: signOut }] }}>
            <Button type="text" className="current-user">
              <Space>
                <Avatar size="small" icon={<UserOutlined />} />
                <span>{me.user.name}</span>
                {me.roles.map((r) => (
                  <Tag key={r} color={r === 'admin' ? 'red' : r === 'manager' ? 'blue' : 'default'}>
                    {ROLE_LABELS[r]}
                  </Tag>
                ))}
              </Space>
            </Button>
          </Dropdown>
        </Header>
        <Content className="console-content">
          {/* the pages are loaded when first opened (App.tsx): the menu stays while one arrives */}
          <Suspense
            fallback={
              <div style={{ padding: 96, textAlign: 'center' }}>
                <Spin size="large" />
              </div>
            }
          >
            <Outlet />
          </Suspense>
        </Content>
      </Layout>
    </Layout>
  );
}
